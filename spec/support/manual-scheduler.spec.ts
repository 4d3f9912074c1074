import { interval, take, timer } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { ManualScheduler } from './manual-scheduler.js';

describe('ManualScheduler', () => {
  it('runs an action that reschedules itself again, with its new state, at its new time', () => {
    const scheduler = new ManualScheduler();
    const runs: Array<[at: number, state: number | undefined]> = [];
    scheduler.schedule<number>(
      function (n) {
        runs.push([scheduler.now(), n]);
        if (n !== undefined && n > 0) this.schedule(n - 1, 10);
      },
      5,
      2,
    );
    scheduler.advance(100);
    expect(runs).toEqual([
      [5, 2],
      [15, 1],
      [25, 0],
    ]);
    expect(scheduler.pending).toBe(0);
    expect(scheduler.now()).toBe(100);
  });

  it('follows reschedules one action at a time with runNext', () => {
    const scheduler = new ManualScheduler();
    let runs = 0;
    scheduler.schedule(function () {
      if (++runs < 3) this.schedule(undefined, 7);
    });
    expect([scheduler.runNext(), scheduler.runNext(), scheduler.runNext()]).toEqual([
      true,
      true,
      true,
    ]);
    expect(scheduler.runNext()).toBe(false);
    expect([runs, scheduler.now()]).toEqual([3, 14]);
  });

  it('drives RxJS interval, which reschedules its one action for every tick', () => {
    const scheduler = new ManualScheduler();
    const ticks: Array<[value: number, at: number]> = [];
    interval(10, scheduler)
      .pipe(take(3))
      .subscribe((value) => ticks.push([value, scheduler.now()]));
    scheduler.advance(100);
    expect(ticks).toEqual([
      [0, 10],
      [1, 20],
      [2, 30],
    ]);
    expect(scheduler.pending).toBe(0);
  });

  it('cancels a rescheduled run when the subscription it returned is unsubscribed', () => {
    const scheduler = new ManualScheduler();
    let runs = 0;
    const subscription = scheduler.schedule(function () {
      runs++;
      this.schedule(undefined, 10);
    });
    scheduler.advance(0);
    expect([runs, scheduler.pending]).toEqual([1, 1]);
    subscription.unsubscribe();
    expect(scheduler.pending).toBe(0);
    scheduler.advance(100);
    expect(runs).toBe(1);
  });

  it('lets an action end itself with this.unsubscribe()', () => {
    const scheduler = new ManualScheduler();
    let runs = 0;
    scheduler.schedule(function () {
      runs++;
      this.schedule(undefined, 10);
      this.unsubscribe();
    });
    scheduler.advance(100);
    expect([runs, scheduler.pending]).toEqual([1, 0]);
  });

  it('runs timers due at the same time in the order they were scheduled', () => {
    const scheduler = new ManualScheduler();
    const order: string[] = [];
    timer(10, scheduler).subscribe(() => order.push('a'));
    timer(10, scheduler).subscribe(() => order.push('b'));
    scheduler.advance(10);
    expect(order).toEqual(['a', 'b']);
  });
});

import { defer, finalize, merge, Subscriber, type Observable, type SchedulerLike } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it, vi } from 'vitest';
import { APIError, type RateLimitSignal } from '../../src/errors.js';
import { rateLimitSignalOf } from '../../src/internal/http/rate-limit-headers.js';
import { Limiter, type LimiterOptions } from '../../src/internal/schedule/limiter.js';

type Reply = { status: number; rateLimit: RateLimitSignal };

/** A response as the transport hands it over: its pacing headers read on arrival. */
const reply = (status: number, headers: Record<string, string> = {}): Reply => ({
  status,
  rateLimit: rateLimitSignalOf(headers, 0),
});
/** An error response, likewise. */
const failure = (status: number, headers: Record<string, string> = {}): APIError =>
  APIError.fromResponse(status, {
    headers,
    rateLimit: rateLimitSignalOf(headers, 0),
    error: { message: 'slow down' },
  });

const ok: Reply = reply(200);
const budget = (limit: number, remaining: number, reset: string): Reply =>
  reply(200, {
    'x-ratelimit-limit-requests': String(limit),
    'x-ratelimit-remaining-requests': String(remaining),
    'x-ratelimit-reset-requests': reset,
  });
const tooMany = (retryAfterMs: number): APIError =>
  failure(429, { 'retry-after-ms': String(retryAfterMs) });

function testScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

/** `scheduler`, noting the delay of every timer asked of it. */
function recording(scheduler: TestScheduler, delays: number[]): SchedulerLike {
  return {
    now: () => scheduler.now(),
    schedule: ((work: () => void, delay = 0) => {
      delays.push(delay);
      return scheduler.schedule(work, delay);
    }) as SchedulerLike['schedule'],
  };
}

function limiterOn(scheduler: TestScheduler, options: Partial<LimiterOptions> = {}): Limiter {
  return new Limiter({
    maxConcurrency: 8,
    requestsPerMinute: undefined,
    adaptive: true,
    defaultCooldown: 1000,
    maxPause: 60_000,
    scheduler,
    ...options,
  });
}

describe('Limiter', () => {
  it('slow-starts: one request until the first response, then up to maxConcurrency', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectSubscriptions }) => {
      const limiter = limiterOn(ts, { maxConcurrency: 2 });
      const a = cold<Reply>('---(r|)', { r: ok });
      const b = cold<Reply>('---(r|)', { r: ok });
      const c = cold<Reply>('---(r|)', { r: ok });
      const d = cold<Reply>('---(r|)', { r: ok });
      merge(
        limiter.run('a', a),
        limiter.run('b', b),
        limiter.run('c', c),
        limiter.run('d', d),
      ).subscribe();
      expectSubscriptions(a.subscriptions).toBe('^--!');
      // After the first response, two slots: b and c start together, d when one frees.
      expectSubscriptions(b.subscriptions).toBe('---^--!');
      expectSubscriptions(c.subscriptions).toBe('---^--!');
      expectSubscriptions(d.subscriptions).toBe('------^--!');
    });
  });

  it('stays in the slow start while requests fail without any response', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectSubscriptions }) => {
      const limiter = limiterOn(ts);
      const a = cold<Reply>('--#', undefined, new Error('reset'));
      const b = cold<Reply>('--(r|)', { r: ok });
      const c = cold<Reply>('--(r|)', { r: ok });
      limiter.run('a', a).subscribe({ error: () => undefined });
      limiter.run('b', b).subscribe();
      limiter.run('c', c).subscribe();
      expectSubscriptions(a.subscriptions).toBe('^-!');
      expectSubscriptions(b.subscriptions).toBe('--^-!');
      expectSubscriptions(c.subscriptions).toBe('----^-!');
    });
  });

  it('paces at 95% of x-ratelimit-limit-requests once the server announces it', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectSubscriptions, flush }) => {
      const limiter = limiterOn(ts);
      // 60 per minute -> paced at 57 per minute: one token every 60000 / 57 = 1052.6 ms.
      const tasks = [0, 1, 2, 3].map(() => cold<Reply>('-(r|)', { r: budget(60, 59, '1s') }));
      tasks.forEach((task, i) => limiter.run(`k${i}`, task).subscribe());
      flush();
      expectSubscriptions(tasks[0]!.subscriptions).toBe('^!');
      // The bucket starts with the one token its capacity holds.
      expectSubscriptions(tasks[1]!.subscriptions).toBe('-^!');
      expectSubscriptions(tasks[2]!.subscriptions).toBe('1054ms ^!');
      expectSubscriptions(tasks[3]!.subscriptions).toBe('2107ms ^!');
      expect(limiter.state()).toMatchObject({ mode: 'headers', requests: 4 });
      expect(limiter.state().ratePerSecond).toBeCloseTo(0.95, 6);
    });
  });

  it('pauses everything until x-ratelimit-reset-requests when remaining reaches 0', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectSubscriptions, flush }) => {
      const limiter = limiterOn(ts);
      const first = cold<Reply>('-(r|)', { r: budget(6000, 0, '250ms') });
      const second = cold<Reply>('-(r|)', { r: budget(6000, 5, '1ms') });
      limiter.run('a', first).subscribe();
      limiter.run('b', second).subscribe();
      flush();
      expectSubscriptions(second.subscriptions).toBe('251ms ^!');
    });
  });

  it('caps the pause of remaining=0 at maxPause, however long x-ratelimit-reset-requests says', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectSubscriptions, flush }) => {
      const limiter = limiterOn(ts, { maxPause: 60_000 });
      const first = cold<Reply>('-(r|)', { r: budget(6000, 0, '2h') });
      const second = cold<Reply>('-(r|)', { r: budget(6000, 5, '1ms') });
      limiter.run('a', first).subscribe();
      limiter.run('b', second).subscribe();
      flush();
      expectSubscriptions(second.subscriptions).toBe('60001ms ^!');
      expect(limiter.state().pausedForMs).toBe(0);
    });
  });

  it('caps a 99999h reset at maxPause and never asks its scheduler for a delay above 2^31-1 ms', () => {
    const ts = testScheduler();
    const delays: number[] = [];
    const spy = recording(ts, delays);
    ts.run(({ cold, expectSubscriptions, flush }) => {
      // The largest maxPause the options accept: still no timer may overflow.
      const limiter = limiterOn(ts, { maxPause: 2 ** 31 - 1, scheduler: spy });
      const first = cold<Reply>('-(r|)', { r: budget(6000, 0, '99999h') });
      const second = cold<Reply>('-(r|)', { r: ok });
      limiter.run('a', first).subscribe();
      limiter.run('b', second).subscribe();
      flush();
      expectSubscriptions(second.subscriptions).toBe('2147483648ms ^!');
    });
    expect(delays.length).toBeGreaterThan(0);
    expect(Math.max(...delays)).toBeLessThanOrEqual(2 ** 31 - 1);
  });

  it('never asks its scheduler for a delay above 2^31-1 ms, even at a near-zero requestsPerMinute', () => {
    const ts = testScheduler();
    const delays: number[] = [];
    const spy = recording(ts, delays);
    ts.run(({ cold }) => {
      const limiter = limiterOn(ts, { requestsPerMinute: 1e-9, scheduler: spy });
      limiter.run('a', cold<Reply>('-(r|)', { r: ok })).subscribe();
      const sub = limiter.run('b', cold<Reply>('-(r|)', { r: ok })).subscribe();
      ts.schedule(() => sub.unsubscribe(), 10);
    });
    expect(delays.length).toBeGreaterThan(0);
    expect(Math.max(...delays)).toBeLessThanOrEqual(2 ** 31 - 1);
  });

  it('pauses the whole client for the retry-after of a 429, not only the request that got it', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectSubscriptions, flush }) => {
      // adaptive: false isolates the cooldown from the rate learned from the 429.
      const limiter = limiterOn(ts, { adaptive: false });
      const warmup = cold<Reply>('-(r|)', { r: ok });
      const limited = cold<Reply>('--#', undefined, tooMany(500));
      const other = cold<Reply>('-(r|)', { r: ok });
      limiter.run('w', warmup).subscribe();
      ts.schedule(() => {
        limiter.run('a', limited).subscribe({ error: () => undefined });
        ts.schedule(() => limiter.run('b', other).subscribe(), 5);
      }, 10);
      flush();
      expectSubscriptions(limited.subscriptions).toBe('----------^-!');
      // `b` is queued at frame 15; the 429 at frame 12 asked for 500 ms.
      expectSubscriptions(other.subscriptions).toBe('512ms ^!');
      expect(limiter.state().rateLimited).toBe(1);
    });
  });

  it('uses the defaultCooldown after a 429 that gave no retry-after', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectSubscriptions, flush }) => {
      const limiter = limiterOn(ts, { defaultCooldown: 300, adaptive: false });
      const limited = cold<Reply>('-#', undefined, failure(429));
      const next = cold<Reply>('-(r|)', { r: ok });
      limiter.run('a', limited).subscribe({ error: () => undefined });
      limiter.run('b', next).subscribe();
      flush();
      expectSubscriptions(next.subscriptions).toBe('301ms ^!');
    });
  });

  it('reads time only from its scheduler, never the wall clock, and reports when a retry could go', () => {
    const ts = testScheduler();
    const wallClock = vi.spyOn(Date, 'now');
    try {
      ts.run(({ cold, flush }) => {
        const limiter = limiterOn(ts, { defaultCooldown: 300 });
        limiter.run('a', cold<Reply>('-#', undefined, failure(429))).subscribe({
          error: () => undefined,
        });
        limiter.run('b', cold<Reply>('-(r|)', { r: budget(60, 0, '2s') })).subscribe();
        ts.schedule(() => {
          // Frame 1: the 429 paused everything for 300 ms (and slowed the pace).
          expect(limiter.readyInMs()).toBeGreaterThanOrEqual(299);
          expect(limiter.state().pausedForMs).toBe(300);
        }, 1);
        flush();
      });
      expect(wallClock).not.toHaveBeenCalled();
    } finally {
      wallClock.mockRestore();
    }
  });

  it('takes turns between checkpoints instead of serving a flood from one first', () => {
    const ts = testScheduler();
    ts.run(({ cold, flush }) => {
      const limiter = limiterOn(ts, { maxConcurrency: 1 });
      const order: string[] = [];
      const job = (): Observable<Reply> => cold<Reply>('-(r|)', { r: ok });
      const submit = (key: string, name: string): void => {
        limiter.run(key, job()).subscribe(() => order.push(name));
      };
      ['a1', 'a2', 'a3', 'a4'].forEach((name) => submit('a', name));
      ['b1', 'b2'].forEach((name) => submit('b', name));
      submit('c', 'c1');
      flush();
      expect(order).toEqual(['a1', 'a2', 'b1', 'c1', 'a3', 'b2', 'a4']);
    });
  });

  it('drops a queued request at once when its subscriber leaves, and frees a running one’s slot', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectSubscriptions, flush }) => {
      const limiter = limiterOn(ts, { maxConcurrency: 1 });
      const running = cold<Reply>('----------(r|)', { r: ok });
      const queued = cold<Reply>('-(r|)', { r: ok });
      const after = cold<Reply>('-(r|)', { r: ok });
      const runningSub = limiter.run('a', running).subscribe();
      const queuedSub = limiter.run('b', queued).subscribe();
      limiter.run('c', after).subscribe();
      expect(limiter.state().queued).toBe(2);
      ts.schedule(() => queuedSub.unsubscribe(), 2);
      ts.schedule(() => runningSub.unsubscribe(), 4);
      flush();
      expectSubscriptions(queued.subscriptions).toBe([]);
      expectSubscriptions(running.subscriptions).toBe('^---!');
      expectSubscriptions(after.subscriptions).toBe('----^!');
      expect(limiter.state()).toMatchObject({ active: 0, queued: 0 });
    });
  });

  it('never exceeds maxConcurrency, whatever the mix of outcomes', () => {
    const ts = testScheduler();
    ts.run(({ cold, flush }) => {
      const limiter = limiterOn(ts, { maxConcurrency: 3 });
      let active = 0;
      let peak = 0;
      const task = (i: number): Observable<Reply> =>
        defer(() => {
          peak = Math.max(peak, ++active);
          return i % 4 === 3
            ? cold<Reply>('--#')
            : cold<Reply>(`${'-'.repeat(1 + (i % 5))}(r|)`, { r: ok });
        }).pipe(finalize(() => active--));
      for (let i = 0; i < 40; i++)
        limiter.run(`k${i % 7}`, task(i)).subscribe({ error: () => undefined });
      flush();
      expect(peak).toBe(3);
      expect(limiter.state()).toMatchObject({ active: 0, queued: 0, requests: 40 });
    });
  });

  it('learns a rate from 429s alone when the server sends no rate headers (adaptive)', () => {
    const ts = testScheduler();
    ts.run(({ cold, flush }) => {
      const limiter = limiterOn(ts, { maxConcurrency: 1, defaultCooldown: 0 });
      const starts: number[] = [];
      for (let i = 0; i < 24; i++) {
        const task = defer(() => {
          starts.push(ts.now());
          return i === 20
            ? cold<Reply>('-#', undefined, tooMany(0))
            : cold<Reply>('-(r|)', { r: ok });
        });
        limiter.run('k', task).subscribe({ error: () => undefined });
      }
      flush();
      // Unpaced before the first 429: each request starts as the previous one ends.
      expect(starts.slice(0, 21)).toEqual(Array.from({ length: 21 }, (_, i) => i));
      // After it, paced: the measured rate was still 0 in its first half-second window, so the
      // rate drops to the floor of 0.5/s and the next request waits 2 s for its token.
      expect(starts[21]! - starts[20]!).toBe(2001);
      expect(limiter.state().mode).toBe('adaptive');
      expect(limiter.state().ratePerSecond).toBeGreaterThanOrEqual(0.5);
    });
  });

  it('is capped by a configured requestsPerMinute from the first request', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectSubscriptions, flush }) => {
      const limiter = limiterOn(ts, { requestsPerMinute: 600 }); // one per 100 ms
      const tasks = [0, 1, 2].map(() => cold<Reply>('-(r|)', { r: ok }));
      tasks.forEach((task, i) => limiter.run(`k${i}`, task).subscribe());
      flush();
      expectSubscriptions(tasks[0]!.subscriptions).toBe('^!');
      expectSubscriptions(tasks[1]!.subscriptions).toBe('100ms ^!');
      expectSubscriptions(tasks[2]!.subscriptions).toBe('200ms ^!');
      expect(limiter.state().mode).toBe('fixed');
    });
  });

  it('pauses only defaultCooldown when a 429 asks for more than maxPause (its request fails instead)', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectSubscriptions, flush }) => {
      const limiter = limiterOn(ts, { adaptive: false, maxPause: 1000, defaultCooldown: 300 });
      const limited = cold<Reply>('-#', undefined, tooMany(3_600_000));
      const next = cold<Reply>('-(r|)', { r: ok });
      limiter.run('a', limited).subscribe({ error: () => undefined });
      limiter.run('b', next).subscribe();
      flush();
      expectSubscriptions(next.subscriptions).toBe('301ms ^!');
    });
  });

  it('caps the defaultCooldown of a 429 at maxPause too', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectSubscriptions, flush }) => {
      const limiter = limiterOn(ts, { adaptive: false, maxPause: 1000, defaultCooldown: 5000 });
      const limited = cold<Reply>('-#', undefined, failure(429));
      const next = cold<Reply>('-(r|)', { r: ok });
      limiter.run('a', limited).subscribe({ error: () => undefined });
      limiter.run('b', next).subscribe();
      flush();
      expectSubscriptions(next.subscriptions).toBe('1001ms ^!');
    });
  });

  it('cancels its wake-up timer when the last waiting request leaves', () => {
    const ts = testScheduler();
    ts.run(({ cold, flush }) => {
      const limiter = limiterOn(ts, { adaptive: false });
      limiter
        .run('a', cold<Reply>('-#', undefined, tooMany(5000)))
        .subscribe({ error: () => undefined });
      ts.schedule(() => {
        const waiting = limiter.run('b', cold<Reply>('-(r|)', { r: ok })).subscribe();
        expect(ts.actions.length).toBeGreaterThan(0);
        waiting.unsubscribe();
      }, 10);
      flush();
      // Nothing was left scheduled to run at 5001 ms: the virtual clock stopped where work did.
      expect(ts.now()).toBeLessThan(5000);
    });
  });

  it('fails every waiting request when disposed, and refuses new ones', () => {
    const ts = testScheduler();
    ts.run(({ cold, flush }) => {
      const limiter = limiterOn(ts, { maxConcurrency: 1 });
      const errors: unknown[] = [];
      limiter
        .run('a', cold<Reply>('-----(r|)', { r: ok }))
        .subscribe({ error: (e: unknown) => errors.push(e) });
      limiter
        .run('b', cold<Reply>('-(r|)', { r: ok }))
        .subscribe({ error: (e: unknown) => errors.push(e) });
      const closed = new Error('closed');
      ts.schedule(() => {
        limiter.dispose(closed);
        limiter
          .run('c', cold<Reply>('-(r|)', { r: ok }))
          .subscribe({ error: (e: unknown) => errors.push(e) });
      }, 2);
      flush();
      expect(errors).toEqual([closed, closed]);
    });
  });

  it('does not start a request whose subscriber is already closed', () => {
    const ts = testScheduler();
    ts.run(({ cold, flush }) => {
      const limiter = limiterOn(ts);
      const task = cold<Reply>('-(r|)', { r: ok });
      const observable = limiter.run('a', task);
      const subscriber = new Subscriber<Reply>();
      subscriber.unsubscribe();
      observable.subscribe(subscriber);
      flush();
      expect(task.subscriptions).toEqual([]);
      expect(limiter.state().requests).toBe(0);
    });
  });
});

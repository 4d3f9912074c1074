import { concat, concatMap, from, Observable, of, throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { pull, type PullGate } from '../../src/internal/paginate/pull.js';

/** A source of `n` values, each routed through the gate; `started` counts the values produced. */
function counted(n: number, log: string[]) {
  return (gate: PullGate<number>): Observable<unknown> =>
    from(Array.from({ length: n }, (_, i) => i)).pipe(
      concatMap((i) => {
        log.push(`produce ${i}`);
        return gate(i);
      }),
    );
}

describe('pull', () => {
  it('hands out every value in order, producing each only once the previous one is taken', async () => {
    const log: string[] = [];
    const iterator = pull(counted(3, log))[Symbol.asyncIterator]();
    expect(log).toEqual([]); // lazy: nothing before the first next()
    expect(await iterator.next()).toEqual({ value: 0, done: false });
    expect(log).toEqual(['produce 0', 'produce 1']);
    expect(await iterator.next()).toEqual({ value: 1, done: false });
    expect(log).toEqual(['produce 0', 'produce 1', 'produce 2']);
    expect(await iterator.next()).toEqual({ value: 2, done: false });
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
  });

  it('waits for a value produced later', async () => {
    let release: (v: string) => void = () => undefined;
    const later = new Promise<string>((resolve) => (release = resolve));
    const iterator = pull<string>((gate) => from(later).pipe(concatMap((v) => gate(v))))[
      Symbol.asyncIterator
    ]();
    const next = iterator.next();
    release('late');
    expect(await next).toEqual({ value: 'late', done: false });
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
  });

  it('delivers the values before an error, then the error, then ends', async () => {
    const boom = new Error('boom');
    const iterator = pull<number>((gate) =>
      concat(
        gate(1),
        throwError(() => boom),
      ),
    )[Symbol.asyncIterator]();
    expect(await iterator.next()).toEqual({ value: 1, done: false });
    await expect(iterator.next()).rejects.toBe(boom);
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
  });

  it('rejects a waiting next() when the source fails', async () => {
    const boom = new Error('boom');
    let fail: () => void = () => undefined;
    const iterator = pull<number>(
      () => new Observable((subscriber) => void (fail = () => subscriber.error(boom))),
    )[Symbol.asyncIterator]();
    const next = iterator.next();
    fail();
    await expect(next).rejects.toBe(boom);
  });

  it('unsubscribes the source on return(), as a break out of for await does', async () => {
    let unsubscribed = false;
    const source = (gate: PullGate<number>): Observable<unknown> =>
      new Observable((subscriber) => {
        const inner = concat(gate(1), gate(2), of('never reached')).subscribe(subscriber);
        return () => {
          unsubscribed = true;
          inner.unsubscribe();
        };
      });
    const seen: number[] = [];
    for await (const value of pull(source)) {
      seen.push(value);
      break;
    }
    expect(seen).toEqual([1]);
    expect(unsubscribed).toBe(true);
  });

  it('answers several next() calls made without waiting, in order', async () => {
    let release: () => void = () => undefined;
    const later = new Promise<void>((resolve) => (release = resolve));
    const iterator = pull<number>((gate) =>
      from(later).pipe(concatMap(() => concat(gate(1), gate(2)))),
    )[Symbol.asyncIterator]();
    const first = iterator.next();
    const second = iterator.next();
    const third = iterator.next();
    release();
    expect(await first).toEqual({ value: 1, done: false });
    expect(await second).toEqual({ value: 2, done: false });
    expect(await third).toEqual({ value: undefined, done: true });
  });
});

import { Observable, type Subscription } from 'rxjs';

/**
 * Hands one value to the puller; completes when the puller has taken it.
 *
 * @example
 * ```ts
 * const records = pull<AuditRecord>((gate: PullGate<AuditRecord>) =>
 *   auditPermissions$(checkpoints, { client, process: gate }),
 * );
 * ```
 */
export type PullGate<T> = (value: T) => Observable<never>;

/**
 * Turns a gated stream into a pull-based `AsyncIterable`. `build` receives a gate; the stream
 * must route each value through it (as the `process` hook of `paginate$` or
 * `auditPermissions$`), and the gate completes only when `next()` has handed that value out.
 * Work behind the gate (the next page request) thus starts only when the consumer has taken the
 * previous value, and `return()` (a `break` out of `for await`) unsubscribes, aborting whatever
 * is in flight.
 *
 * @example
 * ```ts
 * const pages = pull<PermissionPage>((gate) => paginate$({ fetchPage, process: gate }));
 * for await (const page of pages) await slowWork(page);
 * ```
 */
export function pull<T>(build: (gate: PullGate<T>) => Observable<unknown>): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<T> {
      const ready: Array<{ value: T; take: () => void }> = [];
      // Calls of next() not yet answered, in order: the protocol allows several at once.
      const waiting: Array<{
        resolve: (r: IteratorResult<T>) => void;
        reject: (e: unknown) => void;
      }> = [];
      let subscription: Subscription | undefined;
      let ended: { error?: unknown } | undefined;

      const settle = (): void => {
        if (!ended) return;
        for (let w = waiting.shift(); w; w = waiting.shift()) {
          if ('error' in ended) {
            w.reject(ended.error);
            ended = {}; // an error is delivered once; later calls see the end
          } else w.resolve({ value: undefined, done: true });
        }
      };
      const gate: PullGate<T> = (value) =>
        new Observable<never>((subscriber) => {
          const item = { value, take: () => subscriber.complete() };
          const waiter = waiting.shift();
          if (waiter) {
            item.take();
            waiter.resolve({ value, done: false });
            return;
          }
          ready.push(item);
          return () => {
            const index = ready.indexOf(item);
            if (index >= 0) ready.splice(index, 1);
          };
        });

      return {
        next(): Promise<IteratorResult<T>> {
          subscription ??= build(gate).subscribe({
            error: (error: unknown) => {
              ended = { error };
              settle();
            },
            complete: () => {
              ended = {};
              settle();
            },
          });
          const item = ready.shift();
          if (item) {
            item.take();
            return Promise.resolve({ value: item.value, done: false });
          }
          if (ended) {
            if ('error' in ended) {
              const { error } = ended;
              ended = {};
              return Promise.reject(error);
            }
            return Promise.resolve({ value: undefined, done: true });
          }
          return new Promise((resolve, reject) => void waiting.push({ resolve, reject }));
        },
        return(): Promise<IteratorResult<T>> {
          subscription?.unsubscribe();
          ended ??= {};
          ready.length = 0;
          settle();
          return Promise.resolve({ value: undefined, done: true });
        },
      };
    },
  };
}

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
      let waiting:
        { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | undefined;
      let subscription: Subscription | undefined;
      let ended: { error?: unknown } | undefined;

      const settle = (): void => {
        if (!waiting || !ended) return;
        const { resolve, reject } = waiting;
        waiting = undefined;
        if ('error' in ended) reject(ended.error);
        else resolve({ value: undefined, done: true });
      };
      const gate: PullGate<T> = (value) =>
        new Observable<never>((subscriber) => {
          const item = { value, take: () => subscriber.complete() };
          if (waiting) {
            const { resolve } = waiting;
            waiting = undefined;
            item.take();
            resolve({ value, done: false });
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
          return new Promise((resolve, reject) => (waiting = { resolve, reject }));
        },
        return(): Promise<IteratorResult<T>> {
          subscription?.unsubscribe();
          ended ??= {};
          ready.length = 0;
          return Promise.resolve({ value: undefined, done: true });
        },
      };
    },
  };
}

import { identity, Observable, type MonoTypeOperatorFunction } from 'rxjs';
import { APIUserAbortError } from '../../errors.js';

/**
 * Ends a stream with `APIUserAbortError` when `signal` fires, wherever it is at that moment:
 * queued in the limiter, mid-request (the socket is closed) or sleeping in a backoff (the timer
 * is cancelled). The bridge from the `AbortSignal` world to RxJS's unsubscription.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * client.request$(spec).pipe(abortOnSignal(controller.signal)).subscribe({ error: console.error });
 * controller.abort(); // APIUserAbortError
 * ```
 */
export function abortOnSignal<T>(signal: AbortSignal | undefined): MonoTypeOperatorFunction<T> {
  if (!signal) return identity;
  return (source) =>
    new Observable<T>((subscriber) => {
      const onAbort = (): void => subscriber.error(new APIUserAbortError('Aborted by the caller'));
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      const inner = source.subscribe(subscriber);
      return () => {
        signal.removeEventListener('abort', onAbort);
        inner.unsubscribe();
      };
    });
}

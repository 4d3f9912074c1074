import type { SchedulerLike } from 'rxjs';
import { APIUserAbortError } from '../errors.js';
import { timerDelay } from '../timer-delay.js';

/**
 * Waits `ms` on a scheduler, and stops at once, rejecting with `APIUserAbortError`, when the
 * signal fires: an abort during a backoff must not sleep it out.
 *
 * @example
 * ```ts
 * await sleep(500, asyncScheduler, controller.signal);
 * ```
 */
export function sleep(ms: number, scheduler: SchedulerLike, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const aborted = (): APIUserAbortError =>
      new APIUserAbortError('Aborted by the caller while waiting to retry');
    if (signal?.aborted) return reject(aborted());
    const onAbort = (): void => {
      wait.unsubscribe();
      reject(aborted());
    };
    const wait = scheduler.schedule(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, timerDelay(ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

import { defer, retry, tap, throwError, timer, type MonoTypeOperatorFunction } from 'rxjs';
import { planRetry, type RetryContext } from './plan-retry.js';

/**
 * Retries a *single request* (a cold Observable that emits once) by the client's retry policy,
 * waiting on the context's scheduler between attempts. Put it around one page request, never
 * around a whole pagination: pages already emitted are then never fetched again.
 *
 * Unsubscribing during a backoff cancels the timer at once (the official SDK sleeps it out).
 * When the policy gives up, the last error goes through unchanged, `requestID` and all. Unlike
 * a bare `retry({ delay })`, whose stream completes silently if the notifier completes, every
 * path here ends in a value, a retry, or that error.
 *
 * @example
 * ```ts
 * sendRequest$(transport, spec, attempt).pipe(retryBackoff(context));
 * ```
 */
export function retryBackoff<T>(context: RetryContext): MonoTypeOperatorFunction<T> {
  return (source) =>
    defer(() => {
      const startedAt = context.scheduler.now();
      let lastCost = 0;
      return source.pipe(
        retry({
          delay: (error: unknown, attempt) => {
            const plan = planRetry(context, error, attempt, startedAt);
            if (!plan.retry) return throwError(() => error);
            lastCost = plan.cost;
            return timer(plan.delayMs, context.scheduler);
          },
        }),
        tap(() => context.budget?.refund(lastCost)),
      );
    });
}

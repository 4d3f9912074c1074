import { Observable, type MonoTypeOperatorFunction, type Subscription } from 'rxjs';
import { timerDelay } from '../timer-delay.js';
import { planRetry, type PlannedRetry, type RetryContext } from './plan-retry.js';
import { retryVerdict } from './retry-policy.js';

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
 * Written out rather than composed from `defer`, `retry` and `tap`: it runs once per request,
 * and one subscriber per attempt costs less than the four that composition sets up.
 *
 * @example
 * ```ts
 * sendRequest$(transport, spec, { timeout: 30_000 }).pipe(retryBackoff(context));
 * ```
 */
export function retryBackoff<T>(context: RetryContext): MonoTypeOperatorFunction<T> {
  return (source) =>
    new Observable<T>((subscriber) => {
      const startedAt = context.scheduler.now();
      let failures = 0;
      let lastCost = 0;
      let attempt: Subscription | undefined;
      let backoff: Subscription | undefined;
      /** Retries after the wait the plan says, or ends with `error`. */
      const decide = (error: unknown, failed: number, limiterWaitMs: number): void => {
        let plan: PlannedRetry;
        try {
          plan = planRetry(context, error, failed, startedAt, limiterWaitMs);
        } catch (thrown) {
          // An `onRetry` that throws ends the stream with its error, as `retry` would.
          return subscriber.error(thrown);
        }
        if (!plan.retry) return subscriber.error(error);
        // `onRetry` may have ended the subscription (an abort from inside the callback).
        if (subscriber.closed) return;
        lastCost = plan.cost;
        backoff = context.scheduler.schedule(subscribe, timerDelay(plan.delayMs));
      };
      const subscribe = (): void => {
        backoff = undefined;
        attempt = source.subscribe({
          next: (value) => {
            // A success pays back what the retries that led to it took from the budget.
            context.budget?.refund(lastCost);
            subscriber.next(value);
          },
          error: (error: unknown) => {
            const failed = ++failures;
            // Only a failure the policy may retry needs the limiter's word on when; a shared
            // store gives it a round trip later (see `Limiter.readyInMs`).
            const wait = retryVerdict(error, failed, context.policy).retry
              ? (context.limiterWaitMs?.() ?? 0)
              : 0;
            if (typeof wait === 'number') return decide(error, failed, wait);
            void wait.then((ms) => {
              if (!subscriber.closed) decide(error, failed, ms);
            });
          },
          complete: () => subscriber.complete(),
        });
      };
      subscribe();
      return () => {
        attempt?.unsubscribe();
        backoff?.unsubscribe();
      };
    });
}

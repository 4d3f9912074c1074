import pRetry from 'p-retry';
import { planRetry, type RetryContext } from './plan-retry.js';
import { sleep } from './sleep.js';

/**
 * The promise twin of {@link retryBackoff}, for the promise entry points, driven by p-retry and
 * fed by the same {@link planRetry}: p-retry's own delay is zero, and `onFailedAttempt` awaits the
 * policy's delay (abortably) or, when the policy says stop, rethrows to end the retries at once.
 *
 * @example
 * ```ts
 * const page = await retryPromise(() => firstValueFrom(request$), context, signal);
 * ```
 */
export async function retryPromise<T>(
  attempt: () => Promise<T>,
  context: RetryContext,
  signal?: AbortSignal,
): Promise<T> {
  const startedAt = context.scheduler.now();
  let lastCost = 0;
  const value = await pRetry(attempt, {
    retries: context.policy.maxRetries,
    minTimeout: 0,
    maxTimeout: 0,
    factor: 1,
    onFailedAttempt: async ({ error, attemptNumber }) => {
      const plan = planRetry(context, error, attemptNumber, startedAt);
      if (!plan.retry) throw error;
      lastCost = plan.cost;
      await sleep(plan.delayMs, context.scheduler, signal);
    },
  });
  context.budget?.refund(lastCost);
  return value;
}

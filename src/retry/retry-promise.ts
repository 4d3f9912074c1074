import pRetry from 'p-retry';
import { planRetry, type RetryContext } from './plan-retry.js';
import { sleep } from './sleep.js';

/**
 * The promise twin of {@link retryBackoff}, for the promise entry points, driven by p-retry and
 * fed by the same {@link planRetry}: p-retry's own delay is zero, and `onFailedAttempt` awaits the
 * policy's delay (abortably) or, when the policy says stop, rethrows to end the retries at once.
 *
 * The first attempt runs on its own, and p-retry takes over only once it has failed: most
 * requests succeed at once, and they need none of its machinery (a pull over a checkpoint's
 * pages makes one call per page).
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
  /** Waits before the next attempt, or rethrows `error` when the policy says stop. */
  const backOff = async (error: unknown, failures: number): Promise<void> => {
    const plan = planRetry(context, error, failures, startedAt);
    if (!plan.retry) throw error;
    lastCost = plan.cost;
    await sleep(plan.delayMs, context.scheduler, signal);
  };
  let value: T;
  try {
    value = await attempt();
  } catch (error) {
    await backOff(error, 1);
    value = await pRetry(attempt, {
      retries: context.policy.maxRetries - 1,
      minTimeout: 0,
      maxTimeout: 0,
      factor: 1,
      onFailedAttempt: ({ error: failure, attemptNumber }) => backOff(failure, attemptNumber + 1),
    });
  }
  context.budget?.refund(lastCost);
  return value;
}

import type { SchedulerLike } from 'rxjs';
import { APIConnectionTimeoutError, APIError, CheckpointPermissionsError } from '../../errors.js';
import { RetryBudget } from './retry-budget.js';
import { decideRetry, type RetryPolicy } from './retry-policy.js';

/**
 * Emitted before every retry, so that retries are never silent.
 *
 * @example
 * ```ts
 * createClient({
 *   onRetry: (event: RetryEvent) =>
 *     console.warn(`retry ${event.attempt} in ${event.delayMs} ms: ${event.reason}`),
 * });
 * ```
 */
export interface RetryEvent {
  readonly type: 'retry';
  /** The checkpoint the request was for, when it was for one. */
  readonly checkpoint: string | undefined;
  /** The attempt that failed: 1 for the first. The retry is attempt + 1. */
  readonly attempt: number;
  /**
   * How long the request now waits before trying again: the policy's backoff (or the server's
   * `retry-after`), or the limiter's wait when that ends later (a 429 without `retry-after`
   * pauses the client for `defaultCooldown`, and slows its pace). Only a turn behind other
   * requests already queued may add to it.
   */
  readonly delayMs: number;
  /** Why it is retried: `status 503`, `connection error`, `timeout`, `x-should-retry: true`... */
  readonly reason: string;
  readonly status: number | undefined;
  readonly requestID: string | undefined;
  readonly error: unknown;
}

/**
 * What the retry driver (`retryBackoff`) needs, shared per client.
 *
 * @example
 * ```ts
 * // A marble test: virtual time, and fixed jitter so that the delays are exact.
 * const context: RetryContext = { policy, scheduler: testScheduler, random: () => 0.5 };
 * attempt$.pipe(retryBackoff(context));
 * ```
 */
export interface RetryContext {
  readonly policy: RetryPolicy;
  /** Times the waits; `asyncScheduler` in production, virtual in marble tests. */
  readonly scheduler: SchedulerLike;
  /** The jitter source, in [0, 1). */
  readonly random: () => number;
  readonly budget?: RetryBudget | undefined;
  readonly onRetry?: ((event: RetryEvent) => void) | undefined;
  readonly checkpoint?: string | undefined;
  /**
   * Ms until the client's limiter would let a request start (its pause, its pace's next token;
   * 0 when at once), or a promise of it while a shared store has yet to hear the failed
   * response. A retry waits at least this long, and its {@link RetryEvent} says so: the limiter
   * decides when.
   */
  readonly limiterWaitMs?: (() => number | Promise<number>) | undefined;
}

/** A {@link RetryDecision} that also says what the retry cost the budget. */
export type PlannedRetry =
  | { readonly retry: true; readonly delayMs: number; readonly cost: number }
  | { readonly retry: false; readonly reason: string };

/**
 * The one place that decides a retry, for both drivers so that they cannot drift apart: the
 * policy's verdict, then the client's retry budget, then the `onRetry` event.
 *
 * @example
 * ```ts
 * const plan = planRetry(context, error, 1, startedAt, 0);
 * if (plan.retry) await sleep(plan.delayMs);
 * ```
 */
export function planRetry(
  context: RetryContext,
  error: unknown,
  attempt: number,
  startedAt: number,
  limiterWaitMs: number,
): PlannedRetry {
  const now = context.scheduler.now();
  const decision = decideRetry(
    error,
    attempt,
    now - startedAt,
    context.policy,
    context.random,
    limiterWaitMs,
  );
  if (!decision.retry) return decision;
  let cost = 0;
  if (context.budget) {
    const timeout = error instanceof APIConnectionTimeoutError;
    if (!context.budget.trySpend(timeout)) {
      return { retry: false, reason: `${decision.reason}; the client's retry budget is exhausted` };
    }
    cost = timeout ? RetryBudget.TIMEOUT_RETRY_COST : RetryBudget.RETRY_COST;
  }
  context.onRetry?.({
    type: 'retry',
    checkpoint: context.checkpoint,
    attempt,
    delayMs: decision.delayMs,
    reason: decision.reason,
    status: error instanceof APIError ? error.status : undefined,
    requestID: error instanceof CheckpointPermissionsError ? error.requestID : undefined,
    error,
  });
  return { retry: true, delayMs: decision.delayMs, cost };
}

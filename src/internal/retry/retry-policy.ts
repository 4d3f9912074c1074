import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  ProtocolError,
} from '../../errors.js';

/**
 * The retry knobs, every one resolved to a value (see `RetryOptions` for the documented defaults).
 *
 * @example
 * ```ts
 * // The defaults of `RetryOptions`, resolved:
 * const policy: RetryPolicy = {
 *   maxRetries: 6, initialRetryDelay: 500, maxRetryDelay: 8_000,
 *   maxRetryAfter: 60_000, deadline: Infinity,
 * };
 * retryDelay(error, 1, policy, Math.random).delayMs; // < 500, unless the server said
 * ```
 */
export interface RetryPolicy {
  /** Retries after the first attempt; 0 disables retrying. */
  readonly maxRetries: number;
  /** The base of the exponential backoff, in ms. */
  readonly initialRetryDelay: number;
  /** The cap of the exponential backoff, in ms. */
  readonly maxRetryDelay: number;
  /** A server-requested wait longer than this (ms) ends the retries instead of sleeping. */
  readonly maxRetryAfter: number;
  /** Total ms across all attempts and waits; `Infinity` for none. */
  readonly deadline: number;
}

/**
 * Why a failure is or is not worth another attempt.
 *
 * @example
 * ```ts
 * const { retryable, reason } = classifyFailure(APIError.fromResponse(404, {}));
 * // retryable: false, reason: 'status 404'
 * ```
 */
export interface FailureClass {
  readonly retryable: boolean;
  readonly reason: string;
}

/**
 * The verdict on one failed attempt.
 *
 * @example
 * ```ts
 * const decision: RetryDecision = decideRetry(error, attempt, elapsedMs, policy, Math.random);
 * if (decision.retry) setTimeout(tryAgain, decision.delayMs);
 * else console.error(`not retried: ${decision.reason}`);
 * ```
 */
export type RetryDecision =
  | { readonly retry: true; readonly delayMs: number; readonly reason: string }
  | { readonly retry: false; readonly reason: string };

/** Statuses the official SDK retries (`shouldRetry` in its `src/client.ts`): timeout, conflict, rate limit. */
const RETRYABLE_STATUSES = new Set([408, 409, 429]);

/**
 * Whether a failure is transient. Retried: 408, 409, 429 and every 5xx; connection errors,
 * timeouts and bodies cut off mid-way. Not retried: other 4xx (400, 401, 403, 404, 422: the same
 * request would fail the same way), user aborts, protocol and config errors. The server has the
 * last word with `x-should-retry: true|false`, as in the official SDK.
 *
 * @example
 * ```ts
 * classifyFailure(APIError.fromResponse(503, {})); // { retryable: true, reason: 'status 503' }
 * ```
 */
export function classifyFailure(error: unknown): FailureClass {
  if (error instanceof APIUserAbortError)
    return { retryable: false, reason: 'aborted by the caller' };
  if (error instanceof APIError) {
    const header = error.headers['x-should-retry'];
    if (header === 'true') return { retryable: true, reason: 'x-should-retry: true' };
    if (header === 'false') return { retryable: false, reason: 'x-should-retry: false' };
    if (error instanceof APIConnectionError) {
      return {
        retryable: true,
        reason: error instanceof APIConnectionTimeoutError ? 'timeout' : 'connection error',
      };
    }
    const status = error.status ?? 0;
    const retryable = RETRYABLE_STATUSES.has(status) || status >= 500;
    return { retryable, reason: `status ${status}` };
  }
  if (error instanceof ProtocolError && error.truncated)
    return { retryable: true, reason: 'truncated body' };
  return { retryable: false, reason: error instanceof Error ? error.name : 'unknown error' };
}

/**
 * The wait before retry number `attempt` (1 for the first retry), in ms, and whether the server
 * chose it. The server's `retry-after-ms` / `retry-after` wins (as the transport read it into
 * `error.rateLimit`, where the response arrived); otherwise exponential backoff
 * with full jitter (a uniform draw in [0, min(maxRetryDelay, initialRetryDelay * 2^(attempt-1)))),
 * which spreads out clients that failed together instead of retrying them in lockstep.
 *
 * @example
 * ```ts
 * retryDelay(error, 3, policy, () => 0.5); // { delayMs: 1000, fromServer: false } with initialRetryDelay 500
 * ```
 */
export function retryDelay(
  error: unknown,
  attempt: number,
  policy: RetryPolicy,
  random: () => number,
): { delayMs: number; fromServer: boolean } {
  const server = error instanceof APIError ? error.rateLimit.retryAfterMs : undefined;
  if (server !== undefined) return { delayMs: server, fromServer: true };
  const ceiling = Math.min(policy.maxRetryDelay, policy.initialRetryDelay * 2 ** (attempt - 1));
  return { delayMs: Math.floor(random() * ceiling), fromServer: false };
}

/**
 * The part of {@link decideRetry} that needs no wait: whether the failure is transient and
 * retries are left. The retry driver asks it before it asks the limiter how long to wait, so
 * that a failure that will not be retried never waits for a shared store's answer.
 *
 * @example
 * ```ts
 * retryVerdict(APIError.fromResponse(503, {}), 7, policy);
 * // { retry: false, reason: 'status 503; gave up after 6 retries' }
 * ```
 */
export function retryVerdict(
  error: unknown,
  attempt: number,
  policy: RetryPolicy,
):
  | { readonly retry: false; readonly reason: string }
  | { readonly retry: true; readonly reason: string } {
  const failure = classifyFailure(error);
  if (!failure.retryable) return { retry: false, reason: failure.reason };
  if (attempt > policy.maxRetries)
    return {
      retry: false,
      reason: `${failure.reason}; gave up after ${policy.maxRetries} retries`,
    };
  return { retry: true, reason: failure.reason };
}

/**
 * The whole decision for one failed attempt: retry or not, after how long, and why.
 *
 * The policy decides *whether*; *when* is the later of its own delay and `limiterWaitMs`, how
 * long the client's limiter would hold a request now (after a 429: its `retry-after` or
 * `defaultCooldown`, and the slower pace). The limiter would hold the retry until then anyway,
 * so the decision says so: `delayMs` is the wait that happens, and the `deadline` is checked
 * against it.
 *
 * @param attempt - the number of the attempt that failed (1 for the first)
 * @param elapsedMs - ms since the first attempt started, for the total `deadline`
 * @param limiterWaitMs - ms until the limiter would let a request start; 0 for at once
 *
 * @example
 * ```ts
 * decideRetry(error, 1, 0, policy, Math.random);
 * // { retry: true, delayMs: 812, reason: 'status 503' }
 * decideRetry(APIError.fromResponse(429, {}), 1, 0, policy, Math.random, 1000);
 * // { retry: true, delayMs: 1000, reason: 'status 429' }: the limiter's cooldown
 * ```
 */
export function decideRetry(
  error: unknown,
  attempt: number,
  elapsedMs: number,
  policy: RetryPolicy,
  random: () => number,
  limiterWaitMs = 0,
): RetryDecision {
  const verdict = retryVerdict(error, attempt, policy);
  if (!verdict.retry) return verdict;
  const own = retryDelay(error, attempt, policy, random);
  if (own.fromServer && own.delayMs > policy.maxRetryAfter) {
    return {
      retry: false,
      reason: `${verdict.reason}; the server asked for ${own.delayMs} ms, above maxRetryAfter (${policy.maxRetryAfter} ms)`,
    };
  }
  const delayMs = Math.max(own.delayMs, Number.isFinite(limiterWaitMs) ? limiterWaitMs : 0);
  if (elapsedMs + delayMs >= policy.deadline) {
    return {
      retry: false,
      reason: `${verdict.reason}; waiting ${delayMs} ms would pass the ${policy.deadline} ms deadline`,
    };
  }
  return { retry: true, delayMs, reason: verdict.reason };
}

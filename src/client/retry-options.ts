import type { RetryEvent } from '../internal/retry/plan-retry.js';

/**
 * When and how failed requests are tried again. Only the failed request is ever retried.
 *
 * @example
 * ```ts
 * createClient({
 *   maxRetries: 10,
 *   maxRetryAfter: 300_000, // an unattended nightly job can wait out a 5-minute retry-after
 *   onRetry: (event) => console.warn(`retry ${event.attempt}: ${event.reason}`),
 * });
 * ```
 */
export interface RetryOptions {
  /**
   * Retries after the first attempt of each request. Higher than the official SDK's 2 because a
   * bulk audit makes thousands of requests and one exhausted page fails a whole checkpoint; the
   * client-wide retry budget (`rateLimit.retryBudget`) still stops a storm when everything fails.
   * Accepts 0 to 1000.
   * @default 6
   */
  maxRetries?: number;
  /**
   * The first backoff step, ms; step n is `initialRetryDelay * 2^(n-1)`, with full jitter.
   * Accepts 0 to 2_147_483_647 (about 24.8 days, the longest a timer holds), as every duration.
   * @default 500 (the official SDK's)
   */
  initialRetryDelay?: number;
  /**
   * The cap of one backoff step, ms. The official SDK hard-codes 8 s here; it is a knob because
   * batch jobs want longer and interactive tools shorter.
   * @default 8_000
   */
  maxRetryDelay?: number;
  /**
   * The longest server-requested wait (`retry-after`, `retry-after-ms`) that is honoured, ms.
   * Asked to wait longer, the request fails at once with the `RateLimitError` rather than
   * sleeping for an hour; raise it for unattended jobs. It is also the longest any pause of the
   * client's limiter lasts (after a 429, or while `x-ratelimit-remaining-requests` is 0).
   * @default 60_000 (the threshold of the official SDK 7.5)
   */
  maxRetryAfter?: number;
  /**
   * Total ms one request may take across all its attempts and waits, on top of the per-attempt
   * `timeout`. `Infinity` for none; otherwise at most 2_147_483_647.
   * @default Infinity
   */
  deadline?: number;
  /** Called before every retry, with what failed and how long the request will wait. */
  onRetry?: (event: RetryEvent) => void;
  /**
   * The jitter source, returning numbers in [0, 1). Fix it in tests for exact delays.
   * @default Math.random
   */
  random?: () => number;
}

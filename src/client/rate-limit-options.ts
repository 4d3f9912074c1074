import type { LimiterStore } from '../internal/schedule/store/limiter-store.js';

/**
 * How the client's one limiter paces the requests of all its streams.
 *
 * @example
 * ```ts
 * // The key is shared with other jobs: cap this client's share of its budget.
 * createClient({ rateLimit: { requestsPerMinute: 600, maxConcurrency: 4 } });
 * ```
 */
export interface RateLimitOptions {
  /**
   * Requests in flight at once, across every stream of the client. The limiter starts at 1 until
   * the first response reveals the server's budget (a slow start). Accepts 1 to 1024.
   * @default 8
   */
  maxConcurrency?: number;
  /**
   * A cap in requests per minute, for when you share a key with other jobs. Without it the pace
   * is learned from `x-ratelimit-limit-requests`; with both, the lower wins.
   * @default undefined (learned)
   */
  requestsPerMinute?: number;
  /**
   * When the server sends no `x-ratelimit-*` headers, learn a rate from 429s alone (the AWS SDK's
   * "adaptive" mode: cut by 0.7 on a 429, grow back along a cubic curve). `false` leaves such
   * servers unpaced, with only the 429 cooldowns.
   * @default true
   */
  adaptive?: boolean;
  /**
   * The client-wide retry budget in tokens (a retry costs 5, one after a timeout 10; a first-try
   * success earns 1 back, a success after retries its last retry's cost), after the AWS SDK's
   * retry quota. It stops retry storms when everything fails.
   * `false` disables it.
   * @default 500
   */
  retryBudget?: number | false;
  /**
   * How long everything pauses after a 429 that carried no `retry-after`, ms (at most
   * `maxRetryAfter`).
   * @default 1_000
   */
  defaultCooldown?: number;
  /**
   * Where the token bucket, the 429 pause, the learned rate and the retry budget live. By default
   * in this client's memory; `redisStore({ url })` shares them with every process on the same
   * Redis, organization and API key, so that together they keep to the key's budget (see
   * docs/shared-rate-limits.md).
   * Closing the client closes the store.
   * @default undefined (in memory)
   */
  store?: LimiterStore;
}

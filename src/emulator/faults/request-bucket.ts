/**
 * The emulator's server-side rate limit: a token bucket of requests, as plain data and one pure
 * step function, so the limiter is tested with tables and an injected clock, and the server owns
 * the only mutable copy. Named `RequestBucket` so it is never confused with the client's pacing
 * bucket in `src/internal/schedule/token-bucket.ts`, which it shares no code with.
 */

/**
 * The state of a bucket: `tokens` (fractional) as of time `at`, in milliseconds of a monotonic
 * clock such as `performance.now()`.
 *
 * @example
 * const bucket: RequestBucket = { capacity: 2, perMs: 1 / 1000, tokens: 2, at: 0 };
 */
export interface RequestBucket {
  /** Most tokens the bucket holds: the burst. */
  readonly capacity: number;
  /** Tokens added per millisecond: requests per minute / 60 000. */
  readonly perMs: number;
  readonly tokens: number;
  readonly at: number;
}

/**
 * The outcome of asking the bucket for one request.
 *
 * @example
 * const { allowed, remaining, resetMs, retryAfterMs, bucket } = takeRequest(fullRequestBucket(60, 1, 0), 0);
 */
export interface RequestDecision {
  /** Whether a token was taken; when false the request should get a 429. */
  readonly allowed: boolean;
  /** Whole tokens left after this request (`x-ratelimit-remaining-requests`). */
  readonly remaining: number;
  /** Milliseconds until the bucket is full again (`x-ratelimit-reset-requests`). */
  readonly resetMs: number;
  /** Milliseconds until one whole token is available (0 when one already is). */
  readonly retryAfterMs: number;
  /** The bucket after this decision. */
  readonly bucket: RequestBucket;
}

// Refills leave float dust (0.9999999999 tokens); a token that is a rounding error away counts.
const EPSILON = 1e-9;

/**
 * Creates a full bucket refilling `requestsPerMinute` tokens per minute, holding at most `burst`.
 *
 * @example
 * const bucket = fullRequestBucket(600, 10, performance.now()); // 10 at once, then one every 100 ms
 */
export function fullRequestBucket(
  requestsPerMinute: number,
  burst: number,
  now: number,
): RequestBucket {
  return { capacity: burst, perMs: requestsPerMinute / 60_000, tokens: burst, at: now };
}

/**
 * Refills the bucket up to `now`, then takes one token if a whole one is there.
 *
 * @example
 * let bucket = fullRequestBucket(60, 1, 0);
 * takeRequest(bucket, 0).allowed; // true; the bucket it returns is empty until t = 1000
 */
export function takeRequest(bucket: RequestBucket, now: number): RequestDecision {
  const elapsed = Math.max(0, now - bucket.at);
  const available = Math.min(bucket.capacity, bucket.tokens + elapsed * bucket.perMs);
  const allowed = available + EPSILON >= 1;
  const tokens = allowed ? Math.max(0, available - 1) : available;
  const next: RequestBucket = { ...bucket, tokens, at: Math.max(now, bucket.at) };
  return {
    allowed,
    remaining: Math.floor(tokens + EPSILON),
    resetMs: Math.max(0, (bucket.capacity - tokens) / bucket.perMs),
    retryAfterMs: tokens + EPSILON >= 1 ? 0 : (1 - tokens) / bucket.perMs,
    bucket: next,
  };
}

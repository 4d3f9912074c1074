import { ConfigError } from '../errors.js';
import { formatDuration } from './duration.js';
import type { ApiErrorBody } from './api-types.js';
import type { TokenDecision } from './token-bucket.js';

/**
 * The request budget the emulator enforces, like an organisation's RPM limit.
 *
 * @example
 * await startEmulator({ rateLimit: { requestsPerMinute: 600, burst: 5 } });
 */
export interface RateLimitSettings {
  /** Requests refilled per minute; also the `x-ratelimit-limit-requests` header. */
  requestsPerMinute: number;
  /**
   * Most requests allowed at once when the bucket is full.
   * @default Math.max(1, Math.ceil(requestsPerMinute / 60))
   */
  burst?: number;
}

/**
 * Rate-limit settings with every default filled in and validated.
 *
 * @example
 * resolveRateLimit({ requestsPerMinute: 120 }); // { requestsPerMinute: 120, burst: 2 }
 */
export interface ResolvedRateLimit {
  readonly requestsPerMinute: number;
  readonly burst: number;
}

/**
 * Validates rate-limit settings and fills in `burst`; `false` means unlimited.
 *
 * @throws ConfigError naming the bad field.
 * @example
 * resolveRateLimit(false); // undefined
 */
export function resolveRateLimit(
  settings: RateLimitSettings | false,
): ResolvedRateLimit | undefined {
  if (settings === false) return undefined;
  if (typeof settings !== 'object' || settings === null) {
    throw new ConfigError('rateLimit', 'rateLimit must be false or { requestsPerMinute, burst? }');
  }
  const { requestsPerMinute, burst = Math.max(1, Math.ceil(requestsPerMinute / 60)) } = settings;
  if (!Number.isInteger(requestsPerMinute) || requestsPerMinute < 1) {
    throw new ConfigError(
      'rateLimit.requestsPerMinute',
      `rateLimit.requestsPerMinute must be a positive integer, got ${String(requestsPerMinute)}`,
    );
  }
  if (!Number.isInteger(burst) || burst < 1) {
    throw new ConfigError(
      'rateLimit.burst',
      `rateLimit.burst must be a positive integer, got ${String(burst)}`,
    );
  }
  return { requestsPerMinute, burst };
}

/**
 * The `x-ratelimit-*-requests` headers OpenAI sends on every response.
 *
 * @see https://platform.openai.com/docs/guides/rate-limits#rate-limits-in-headers
 * @example
 * rateLimitHeaders({ requestsPerMinute: 60, burst: 1 }, decision);
 * // { 'x-ratelimit-limit-requests': '60', 'x-ratelimit-remaining-requests': '0',
 * //   'x-ratelimit-reset-requests': '1s' }
 */
export function rateLimitHeaders(
  limit: ResolvedRateLimit,
  decision: TokenDecision,
): Record<string, string> {
  return {
    'x-ratelimit-limit-requests': String(limit.requestsPerMinute),
    'x-ratelimit-remaining-requests': String(decision.remaining),
    // "The time until the rate limit (based on requests) resets to its initial state": a full bucket.
    'x-ratelimit-reset-requests': formatDuration(decision.resetMs),
  };
}

/**
 * The 429 OpenAI answers when the request budget is spent: its `retry-after` (whole seconds,
 * rounded up) and `retry-after-ms` headers, which the official SDK prefers, and its error body.
 *
 * @see https://platform.openai.com/docs/guides/error-codes#api-errors (429 rate limit reached)
 * @example
 * const { headers, body } = rateLimitExceeded(limit, decision, 'org-emulator');
 */
export function rateLimitExceeded(
  limit: ResolvedRateLimit,
  decision: TokenDecision,
  organizationId: string,
): { headers: Record<string, string>; body: ApiErrorBody } {
  const waitMs = Math.max(1, Math.ceil(decision.retryAfterMs));
  return {
    headers: {
      'retry-after': String(Math.ceil(waitMs / 1000)),
      'retry-after-ms': String(waitMs),
    },
    body: {
      error: {
        message:
          `Rate limit reached for requests in organization ${organizationId} on requests per min ` +
          `(RPM): Limit ${limit.requestsPerMinute}, Used ${limit.requestsPerMinute}, Requested 1. ` +
          `Please try again in ${formatDuration(waitMs)}. ` +
          'Visit https://platform.openai.com/account/rate-limits to learn more.',
        type: 'requests',
        param: null,
        code: 'rate_limit_exceeded',
      },
    },
  };
}

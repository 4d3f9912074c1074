import { parseDuration } from './duration.js';
import type { Headers } from './headers.js';

/**
 * The request budget a response announced. Each field is absent when its header was.
 *
 * @example
 * ```ts
 * const info: RateLimitInfo | undefined = parseRateLimitHeaders(error.headers);
 * if (info?.remaining === 0) console.warn(`budget spent; whole again in ${info.resetMs} ms`);
 * ```
 */
export interface RateLimitInfo {
  /** `x-ratelimit-limit-requests`: requests allowed per minute. */
  limit?: number;
  /** `x-ratelimit-remaining-requests`: requests left before the limit is hit. */
  remaining?: number;
  /** `x-ratelimit-reset-requests`, in ms: when the budget is whole again. */
  resetMs?: number;
}

/**
 * Reads the request-budget headers OpenAI sends on every response
 * (https://platform.openai.com/docs/guides/rate-limits#rate-limits-in-headers). Returns
 * `undefined` when the response carried none of them, which is how the limiter knows to fall back
 * to learning the rate from 429s alone. The token headers (`…-tokens`) do not apply to this API.
 *
 * @example
 * ```ts
 * parseRateLimitHeaders({
 *   'x-ratelimit-limit-requests': '60',
 *   'x-ratelimit-remaining-requests': '59',
 *   'x-ratelimit-reset-requests': '1s',
 * }); // { limit: 60, remaining: 59, resetMs: 1000 }
 * ```
 */
export function parseRateLimitHeaders(headers: Readonly<Headers>): RateLimitInfo | undefined {
  const limit = parseCount(headers['x-ratelimit-limit-requests']);
  const remaining = parseCount(headers['x-ratelimit-remaining-requests']);
  const resetMs = parseDuration(headers['x-ratelimit-reset-requests']);
  if (limit === undefined && remaining === undefined && resetMs === undefined) return undefined;
  const info: RateLimitInfo = {};
  if (limit !== undefined && limit > 0) info.limit = limit;
  if (remaining !== undefined) info.remaining = remaining;
  if (resetMs !== undefined) info.resetMs = resetMs;
  return info;
}

function parseCount(text: string | undefined): number | undefined {
  return text !== undefined && /^\s*\d+\s*$/.test(text) ? Number(text) : undefined;
}

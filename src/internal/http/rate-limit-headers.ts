import { parseDuration } from './duration.js';
import type { RateLimitBudget, RateLimitSignal } from '../../errors.js';
import type { Headers } from './headers.js';
import { retryAfterMs } from './retry-after.js';

/**
 * The one reading of a response's pacing headers, made where the response arrives (for the API
 * in `sendRequest$`, for a webhook in its sender) and carried on the response or the error as
 * `rateLimit`. Nothing downstream reads those headers again: the limiter paces and pauses from
 * this, the retry policy decides from this, and both see the same numbers.
 *
 * `arrivedAt` is the wall clock when the response arrived: an HTTP-date `retry-after` becomes a
 * wait relative to it here, so that what comes after counts time on its own scheduler only.
 *
 * @example
 * ```ts
 * rateLimitSignalOf({ 'retry-after': '2', 'x-ratelimit-remaining-requests': '0' }, Date.now());
 * // { retryAfterMs: 2000, budget: { remaining: 0 } }
 * ```
 */
export function rateLimitSignalOf(headers: Readonly<Headers>, arrivedAt: number): RateLimitSignal {
  const wait = retryAfterMs(headers, arrivedAt);
  const budget = parseRateLimitHeaders(headers);
  if (wait === undefined) return budget === undefined ? NO_SIGNAL : { budget };
  return budget === undefined ? { retryAfterMs: wait } : { retryAfterMs: wait, budget };
}

const NO_SIGNAL: RateLimitSignal = Object.freeze({});

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
export function parseRateLimitHeaders(headers: Readonly<Headers>): RateLimitBudget | undefined {
  const limit = parseCount(headers['x-ratelimit-limit-requests']);
  const remaining = parseCount(headers['x-ratelimit-remaining-requests']);
  const resetMs = parseDuration(headers['x-ratelimit-reset-requests']);
  if (limit === undefined && remaining === undefined && resetMs === undefined) return undefined;
  const info: RateLimitBudget = {};
  if (limit !== undefined && limit > 0) info.limit = limit;
  if (remaining !== undefined) info.remaining = remaining;
  if (resetMs !== undefined) info.resetMs = resetMs;
  return info;
}

function parseCount(text: string | undefined): number | undefined {
  return text !== undefined && /^\s*\d+\s*$/.test(text) ? Number(text) : undefined;
}

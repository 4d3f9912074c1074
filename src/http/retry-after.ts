import type { Headers } from './headers.js';

/**
 * How long the server asked us to wait before trying again, in milliseconds, or `undefined` if it
 * did not say (or said something unreadable).
 *
 * `retry-after-ms` (OpenAI's own, fractional milliseconds) wins over `retry-after`, which per
 * RFC 9110 §10.2.3 is either whole seconds or an HTTP date. The official SDK reads them in the
 * same order (`src/client.ts`, `retryRequest`). A date in the past means "now": 0.
 *
 * @example
 * ```ts
 * retryAfterMs({ 'retry-after-ms': '250' }, Date.now()); // 250
 * retryAfterMs({ 'retry-after': '2' }, Date.now());      // 2000
 * ```
 */
export function retryAfterMs(headers: Readonly<Headers>, now: number): number | undefined {
  const ms = parseNonNegative(headers['retry-after-ms']);
  if (ms !== undefined) return ms;
  const value = headers['retry-after']?.trim();
  if (value === undefined || value === '') return undefined;
  const seconds = parseNonNegative(value);
  if (seconds !== undefined) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function parseNonNegative(text: string | undefined): number | undefined {
  if (text === undefined || !/^\s*\d+(?:\.\d+)?\s*$/.test(text)) return undefined;
  return Number(text);
}

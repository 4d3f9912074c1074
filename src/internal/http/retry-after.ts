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
  const date = parseHTTPDate(value);
  return date === undefined ? undefined : Math.max(0, date - now);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * The three HTTP-date formats of RFC 9110 §5.6.7, all UTC, and nothing else: `Date.parse`
 * alone would read junk such as `-1` as a date in 2001, and asctime dates in local time.
 *
 * @example
 * ```ts
 * parseHTTPDate('Sun, 06 Nov 1994 08:49:37 GMT'); // 784111777000
 * ```
 */
export function parseHTTPDate(text: string): number | undefined {
  const imf = /^[A-Z][a-z]{2}, (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/.exec(
    text,
  );
  const rfc850 = /^[A-Z][a-z]+, (\d{2})-([A-Z][a-z]{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/.exec(
    text,
  );
  const asctime = /^[A-Z][a-z]{2} ([A-Z][a-z]{2}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/.exec(
    text,
  );
  let parts: [string, string, string, string, string, string] | undefined;
  if (imf) parts = [imf[3]!, imf[2]!, imf[1]!, imf[4]!, imf[5]!, imf[6]!];
  else if (rfc850) {
    // Two-digit years more than 50 years ahead are in the past century (RFC 9110 §5.6.7).
    const year = 2000 + Number(rfc850[3]);
    parts = [
      String(year > new Date().getUTCFullYear() + 50 ? year - 100 : year),
      rfc850[2]!,
      rfc850[1]!,
      rfc850[4]!,
      rfc850[5]!,
      rfc850[6]!,
    ];
  } else if (asctime)
    parts = [asctime[6]!, asctime[1]!, asctime[2]!.trim(), asctime[3]!, asctime[4]!, asctime[5]!];
  if (!parts) return undefined;
  const month = MONTHS.indexOf(parts[1]);
  if (month < 0) return undefined;
  const [year = 0, , day = 0, hours = 0, minutes = 0, seconds = 0] = parts.map(Number);
  const time = Date.UTC(year, month, day, hours, minutes, seconds);
  // Date.UTC rolls 32 Nov over into December; an impossible date is no date.
  const date = new Date(time);
  const exact = date.getUTCDate() === day && hours < 24 && minutes < 60 && seconds < 61;
  return exact ? time : undefined;
}

function parseNonNegative(text: string | undefined): number | undefined {
  if (text === undefined || !/^\s*\d+(?:\.\d+)?\s*$/.test(text)) return undefined;
  return Number(text);
}

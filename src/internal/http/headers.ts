import type { IncomingHttpHeaders } from 'node:http';

/**
 * Response headers as a plain record with lower-case names, repeated values joined by `, `.
 *
 * @example
 * ```ts
 * const headers: Headers = { 'x-ratelimit-remaining-requests': '59', 'x-request-id': 'req_123' };
 * parseRateLimitHeaders(headers); // { remaining: 59 }
 * ```
 */
export type Headers = Record<string, string>;

/**
 * Flattens undici's response headers (`string | string[]` values) into a {@link Headers} record.
 *
 * @example
 * ```ts
 * flattenHeaders({ 'set-cookie': ['a=1', 'b=2'] }); // { 'set-cookie': 'a=1, b=2' }
 * ```
 */
export function flattenHeaders(headers: IncomingHttpHeaders): Headers {
  const flat: Headers = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined)
      flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

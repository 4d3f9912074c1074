/**
 * Splits a raw request path (as it arrived, before any decoding) on `/`, then percent-decodes
 * each segment. Decoding after splitting is what lets a checkpoint name containing `/`, `?`, `#`,
 * `%` or spaces reach its own resource: the client sends those as `%2F`, `%3F`, `%23`, `%25`,
 * `%20` (the official SDK encodes path parameters with RFC 3986 `pchar` rules, leaving `:` raw).
 * Returns `undefined` for malformed escapes such as `%zz`.
 *
 * @see https://datatracker.ietf.org/doc/html/rfc3986#section-3.3
 * @example
 * splitPath('/v1/fine_tuning/checkpoints/ft:a%2Fb/permissions');
 * // ['v1', 'fine_tuning', 'checkpoints', 'ft:a/b', 'permissions']
 */
export function splitPath(rawPath: string): string[] | undefined {
  const segments = rawPath.replace(/^\//, '').split('/');
  try {
    return segments.map(decodeURIComponent);
  } catch {
    return undefined;
  }
}

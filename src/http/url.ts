/**
 * Percent-encodes one path segment, so that a checkpoint id containing `/`, `?`, `#`, `%` or a
 * space still names its own resource instead of a different path, query or fragment.
 *
 * Colons stay raw: checkpoint ids are full of them (`ft:gpt-4o-mini:org:name:id:ckpt-step-1`),
 * RFC 3986 allows them in a segment (`pchar`), and the official SDK sends them raw too.
 *
 * @example
 * ```ts
 * encodePathSegment('ft:a b/c'); // 'ft:a%20b%2Fc'
 * ```
 */
export function encodePathSegment(segment: string): string {
  return encodeURIComponent(segment).replaceAll('%3A', ':');
}

/** Query parameters; `undefined` values are left out. */
export type Query = Readonly<Record<string, string | number | undefined>>;

/**
 * Joins a base URL (with or without a trailing slash), a path and a query.
 *
 * @example
 * ```ts
 * buildURL('https://api.openai.com/v1/', '/fine_tuning/jobs', { limit: 5, after: undefined });
 * // 'https://api.openai.com/v1/fine_tuning/jobs?limit=5'
 * ```
 */
export function buildURL(baseURL: string, path: string, query: Query = {}): string {
  const base = baseURL.endsWith('/') ? baseURL.slice(0, -1) : baseURL;
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined) search.append(name, String(value));
  }
  const qs = search.toString();
  return `${base}${path.startsWith('/') ? path : `/${path}`}${qs ? `?${qs}` : ''}`;
}

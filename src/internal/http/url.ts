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

/**
 * One query value: written as it is (`true`/`false` for a boolean).
 *
 * @example
 * ```ts
 * const includeArchived: QueryScalar = true; // include_archived=true
 * ```
 */
export type QueryScalar = string | number | boolean;

/**
 * Query parameters; `undefined` values are left out. An array is written `name[]=a&name[]=b`
 * and an object (a range) `name[gte]=1&name[lt]=9`, as openai-node writes them (its `qs` with
 * `arrayFormat: 'brackets'`) and as the spec's audit-log filters (`event_types[]`,
 * `effective_at[gte]`) are named.
 *
 * @example
 * ```ts
 * const query: Query = {
 *   limit: 100,
 *   event_types: ['checkpoint.permission.created', 'checkpoint.permission.deleted'],
 *   effective_at: { gte: 1_732_000_000 },
 * };
 * ```
 */
export type Query = Readonly<
  Record<
    string,
    | QueryScalar
    | readonly QueryScalar[]
    | Readonly<Record<string, QueryScalar | undefined>>
    | undefined
  >
>;

/**
 * A path and its query, as they follow the base URL: `/fine_tuning/jobs?limit=5`.
 *
 * @example
 * ```ts
 * pathAndQuery('fine_tuning/jobs', { limit: 5, after: undefined }); // '/fine_tuning/jobs?limit=5'
 * pathAndQuery('/organization/audit_logs', { event_types: ['a', 'b'], effective_at: { gte: 1 } });
 * // '/organization/audit_logs?event_types%5B%5D=a&event_types%5B%5D=b&effective_at%5Bgte%5D=1'
 * ```
 */
export function pathAndQuery(path: string, query: Query = {}): string {
  let qs = '';
  const add = (name: string, value: QueryScalar | undefined): void => {
    if (value === undefined) return;
    qs += `${qs ? '&' : '?'}${encodeQueryComponent(name)}=${encodeQueryComponent(String(value))}`;
  };
  for (const name of Object.keys(query)) {
    const value = query[name];
    if (isScalarList(value)) for (const item of value) add(`${name}[]`, item);
    else if (typeof value === 'object') {
      for (const key of Object.keys(value)) add(`${name}[${key}]`, value[key]);
    } else add(name, value);
  }
  const absolute = path.startsWith('/') ? path : `/${path}`;
  // A space or a non-ASCII character is percent-encoded as a URL parser would, not sent raw.
  return `${URL_READY.test(absolute) ? absolute : new URL(absolute, 'http://host').pathname}${qs}`;
}

function isScalarList(value: unknown): value is readonly QueryScalar[] {
  return Array.isArray(value);
}

/** A path made only of printable ASCII, as encoded segments are: it goes out as it is. */
const URL_READY = /^[!-~]*$/;

/**
 * Where requests under `baseURL` go, split as undici's `dispatch` takes them: the origin, and
 * the path that every request path is appended to.
 *
 * @example
 * ```ts
 * dispatchTarget('https://api.openai.com/v1/'); // { origin: 'https://api.openai.com', basePath: '/v1' }
 * ```
 */
export function dispatchTarget(baseURL: string): { origin: string; basePath: string } {
  const url = new URL(baseURL);
  return { origin: url.origin, basePath: withoutTrailingSlash(url.pathname) };
}

function withoutTrailingSlash(text: string): string {
  return text.endsWith('/') ? text.slice(0, -1) : text;
}

/** The characters `URLSearchParams` leaves as they are: most names, numbers and ids. */
const FORM_SAFE = /^[\w.*-]*$/;

/** `application/x-www-form-urlencoded` as `URLSearchParams` writes it, without building one. */
function encodeQueryComponent(text: string): string {
  if (FORM_SAFE.test(text)) return text;
  // A lone surrogate becomes U+FFFD, as URLSearchParams does (encodeURIComponent would throw).
  return encodeURIComponent(wellFormed(text)).replace(/[!'()~]|%20/g, (c) => FORM_ESCAPES[c] ?? c);
}

function wellFormed(text: string): string {
  return text.replace(
    /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
    '\uFFFD',
  );
}

const FORM_ESCAPES: Readonly<Record<string, string>> = {
  '%20': '+',
  '!': '%21',
  "'": '%27',
  '(': '%28',
  ')': '%29',
  '~': '%7E',
};

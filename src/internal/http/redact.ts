/**
 * The one owner of redaction: what the client knows to be secret (its key, the password of its
 * base URL, secret header values) never reaches an error, an event, a log or a report, even when
 * a server echoes it back. Everything shown passes through here first.
 *
 * @module
 */

/** What a hidden secret is replaced by. */
export const REDACTED = '[redacted]';

/** The headers whose values are secrets: never kept on an error, logged or printed. */
const SECRET_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'api-key',
  'openai-admin-key',
]);

/**
 * Secrets shorter than this are not searched for in text: replacing every `a` of a message
 * would hide everything and protect nothing. (A URL's userinfo is removed whatever its length.)
 */
const MIN_SECRET_LENGTH = 6;

/**
 * A copy of headers that is safe to keep on an error or print: secret values are replaced by
 * `[redacted]`, whatever the case of their names, and any of `secrets` found in another value
 * (a server echoing the key in a response header) is hidden too.
 *
 * @example
 * ```ts
 * redactHeaders({ Authorization: 'Bearer sk-…', 'OpenAI-Project': 'proj_1' });
 * // { Authorization: '[redacted]', 'OpenAI-Project': 'proj_1' }
 * ```
 */
export function redactHeaders(
  headers: Readonly<Record<string, string>>,
  secrets: readonly string[] = [],
): Record<string, string> {
  const safe: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    safe[name] = SECRET_HEADERS.has(name.toLowerCase()) ? REDACTED : redactText(value, secrets);
  }
  return safe;
}

/**
 * `text` with every occurrence of every secret replaced by `[redacted]`: for anything a server
 * wrote (an error message, a body) before it is shown or stored.
 *
 * @example
 * ```ts
 * redactText('Invalid header: Bearer sk-admin-123456', ['sk-admin-123456']);
 * // 'Invalid header: Bearer [redacted]'
 * ```
 */
export function redactText(text: string, secrets: readonly string[]): string {
  let safe = text;
  for (const secret of secrets) {
    if (secret.length >= MIN_SECRET_LENGTH && safe.includes(secret))
      safe = safe.replaceAll(secret, REDACTED);
  }
  return safe;
}

/**
 * A decoded JSON value (an error body) with secrets hidden in every string, keys included. A
 * copy: the value passed in is left as it is.
 *
 * @example
 * ```ts
 * redactJSON({ message: 'bad key sk-admin-123456', code: null }, ['sk-admin-123456']);
 * // { message: 'bad key [redacted]', code: null }
 * ```
 */
export function redactJSON<T>(value: T, secrets: readonly string[]): T {
  if (typeof value === 'string') return redactText(value, secrets) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => redactJSON(item, secrets)) as T;
  if (typeof value === 'object' && value !== null) {
    const safe: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value))
      safe[redactText(key, secrets)] = redactJSON(item, secrets);
    return safe as T;
  }
  return value;
}

/**
 * A URL as it may be shown: userinfo (`user:password@`) becomes `***@`, the rest is left exactly
 * as written (not normalised by a URL parser).
 *
 * @example
 * ```ts
 * redactURL('http://user:hunter2@proxy.internal:8080/v1'); // 'http://***@proxy.internal:8080/v1'
 * ```
 */
export function redactURL(url: string): string {
  return url.replace(/^([a-z][a-z\d+.-]*:\/\/)[^/?#]*@/i, '$1***@');
}

/**
 * Every secret a client holds, to hide from what servers send back: its keys (admin and project), the password
 * of the base URL (as written and percent-decoded), and the values of secret headers among its
 * default headers.
 *
 * @example
 * ```ts
 * secretsOf({ keys: ['sk-admin-123456'], baseURL: 'https://api.openai.com/v1', headers: {} });
 * // ['sk-admin-123456']
 * ```
 */
export function secretsOf(held: {
  readonly keys: readonly string[];
  readonly baseURL: string;
  readonly headers: Readonly<Record<string, string>>;
}): string[] {
  const secrets = new Set<string>();
  for (const key of held.keys) if (key) secrets.add(key);
  const userinfo = /^[a-z][a-z\d+.-]*:\/\/([^/?#]*)@/i.exec(held.baseURL)?.[1];
  const password = userinfo?.includes(':') ? userinfo.slice(userinfo.indexOf(':') + 1) : userinfo;
  if (password) {
    secrets.add(password);
    try {
      secrets.add(decodeURIComponent(password));
    } catch {
      // A malformed escape: the password as written is all there is to hide.
    }
  }
  for (const [name, value] of Object.entries(held.headers)) {
    if (SECRET_HEADERS.has(name.toLowerCase()) && value) secrets.add(value);
  }
  // Longest first: a secret containing another is hidden whole.
  return [...secrets].sort((a, b) => b.length - a.length);
}

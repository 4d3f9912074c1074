/** The headers whose values are secrets: never kept on an error, logged or printed. */
const SECRET_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'api-key',
  'openai-admin-key',
]);

/**
 * A copy of request headers that is safe to keep on an error or print: secret values are
 * replaced by `[redacted]`, whatever the case of their names.
 *
 * @example
 * ```ts
 * redactHeaders({ Authorization: 'Bearer sk-…', 'OpenAI-Project': 'proj_1' });
 * // { Authorization: '[redacted]', 'OpenAI-Project': 'proj_1' }
 * ```
 */
export function redactHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const safe: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    safe[name] = SECRET_HEADERS.has(name.toLowerCase()) ? '[redacted]' : value;
  }
  return safe;
}

/**
 * `text` with every occurrence of each secret replaced by `[redacted]`: for what a server sends
 * back, which may echo the key it was sent (in an error message, a body or a header). Secrets
 * shorter than 8 characters are left alone: no real key is that short, and replacing a short
 * string would mangle ordinary words.
 *
 * @example
 * ```ts
 * redactSecrets('Incorrect API key provided: sk-proj-abc123456', ['sk-proj-abc123456']);
 * // 'Incorrect API key provided: [redacted]'
 * ```
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let safe = text;
  for (const secret of secrets) {
    if (secret.length >= 8 && safe.includes(secret)) safe = safe.replaceAll(secret, '[redacted]');
  }
  return safe;
}

/**
 * A copy of a header record with {@link redactSecrets} applied to every value.
 *
 * @example
 * ```ts
 * redactSecretsIn({ 'x-echo': 'Bearer sk-proj-abc123456' }, ['sk-proj-abc123456']);
 * // { 'x-echo': 'Bearer [redacted]' }
 * ```
 */
export function redactSecretsIn(
  headers: Readonly<Record<string, string>>,
  secrets: readonly string[],
): Record<string, string> {
  if (secrets.length === 0) return { ...headers };
  const safe: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) safe[name] = redactSecrets(value, secrets);
  return safe;
}

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

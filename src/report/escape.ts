/**
 * Characters that can rewrite a terminal or a reader's view of a line: C0 and C1 controls (ESC
 * starts ANSI sequences; CR and BS overwrite what was printed), DEL, line and paragraph
 * separators, and the bidirectional overrides and isolates of "Trojan Source".
 */
const UNSAFE =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * Server data made safe to print to a terminal: every control or bidi character becomes a
 * visible escape (`\x1b`, `\n`, `\u202e`), so a hostile checkpoint name shows as text and can
 * neither move the cursor, recolour the screen, nor fake another line.
 *
 * @example
 * ```ts
 * escapeControl('ft:x\u001b[2J\nok'); // 'ft:x\\x1b[2J\\nok'
 * ```
 */
export function escapeControl(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return code < 0x100
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * Server data made inert in a Markdown table cell (GitHub-flavoured, as tickets render it): no
 * control characters (see {@link escapeControl}), no HTML (`&`, `<`, `>` become entities), and
 * every character that could end the cell, open a code span, a link or emphasis is
 * backslash-escaped (`|`, backticks, `\`, `*`, `_`, `[`, `]`, `~`).
 *
 * @example
 * ```ts
 * escapeMarkdown('a|b`<img src=x>'); // 'a\\|b\\`&lt;img src=x&gt;'
 * ```
 */
export function escapeMarkdown(text: string): string {
  return escapeControl(text)
    .replace(/[\\`*_[\]~|]/g, (c) => `\\${c}`)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;');
}

/**
 * Server data made inert as HTML text or a quoted attribute value: control characters made
 * visible (see {@link escapeControl}), then `&`, `<`, `>`, `"` and `'` as entities. For pages
 * rendered without any script, such as the `diff` report.
 *
 * @example
 * ```ts
 * escapeHtml('<img src=x onerror=alert(1)>'); // '&lt;img src=x onerror=alert(1)&gt;'
 * ```
 */
export function escapeHtml(text: string): string {
  return escapeControl(text)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/**
 * The characters a terminal acts on instead of showing: C0 controls (ESC, BEL, CR, BS, line
 * breaks, tab), DEL, C1 controls (U+0080–U+009F, among them the one-character CSI U+009B), and
 * the bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) that reorder what
 * follows them (CVE-2021-42574, "Trojan Source").
 */
// eslint-disable-next-line no-control-regex -- control characters are what this matches
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

const SHORT: Readonly<Record<string, string>> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/**
 * Text from outside (a checkpoint name, a project id, a server's error message) made safe to
 * print to a terminal: every character a terminal would act on is shown as a visible escape
 * (`\x1b`, `\x07`, `\r`, `\x9b`, `\u202e`) instead. A name such as `ft:evil\x1b[2J` can then
 * neither clear the screen, retitle the window, rewrite the line before it, nor hide behind a
 * right-to-left override. Everything else, non-ASCII letters included, is left as it is.
 *
 * Every human-facing output (tables, the summary, error lines, the progress line, the demo's
 * report) goes through this one function. JSONL needs none of it: JSON already escapes every
 * C0 control, and a consumer parses it rather than shows it.
 *
 * @example
 * ```ts
 * terminalSafe('ft:evil\x1b]0;PWNED\x07'); // 'ft:evil\\x1b]0;PWNED\\x07'
 * terminalSafe('ft:gpt-4o:acme:café'); // unchanged
 * ```
 */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const short = SHORT[c];
    if (short) return short;
    const code = c.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

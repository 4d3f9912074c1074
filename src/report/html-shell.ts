import { createHash } from 'node:crypto';
import { escapeHtml } from './escape.js';
import { REPORT_CSS } from './html-app.js';

/** What one self-contained page holds inside the shell that {@link htmlPage} writes. */
export interface HtmlPage {
  /** The `<title>`, as text: it is escaped here. */
  readonly title: string;
  /** The content of `<main>`, as HTML: every value in it escaped by the caller. */
  readonly main: string;
  /**
   * The page's one script, and the data it reads from `#report-data`. The script's SHA-256 is the
   * only script the CSP lets run.
   *
   * @default no script: the CSP then allows none at all
   */
  readonly script?: { readonly code: string; readonly data: unknown };
}

/**
 * The shell of every HTML page the tool writes (the audit report, the diff page): doctype, a
 * Content-Security-Policy that forbids any request and pins the page's own script by its hash,
 * no referrer, an inline icon (so the browser asks for no `/favicon.ico`), the shared style
 * sheet. The pages open offline from `file://` and can be attached to a ticket.
 *
 * The data goes in a `<script type="application/json">`, with every `<` written `\u003c`: no
 * value can close that element (`</script>`) or open a comment (`<!--`).
 *
 * @example
 * ```ts
 * const code = 'document.getElementById("n").textContent = document.getElementById("report-data").textContent;';
 * writeFileSync('count.html', htmlPage({ title: 'Count', main: '<p id="n"></p>', script: { code, data: 42 } }));
 * ```
 */
export function htmlPage(page: HtmlPage): string {
  const { script } = page;
  const policy = [
    "default-src 'none'",
    "style-src 'unsafe-inline'",
    // 'unsafe-inline' only for browsers before CSP 2: any browser that knows hashes ignores it.
    ...(script ? [`script-src 'unsafe-inline' '${sha256(script.code)}'`] : []),
    // The icon below, `data:,`: without this, Chromium logs it as a CSP violation.
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const scripts = script
    ? `<script type="application/json" id="report-data">${inertJson(script.data)}</script>
<script>${script.code}</script>
`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${policy}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${escapeHtml(page.title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<main>
${page.main}
</main>
${scripts}</body>
</html>
`;
}

/** A CSP hash source for an inline script: `sha256-` and the base64 digest of its text. */
const sha256 = (code: string): string =>
  `sha256-${createHash('sha256').update(code).digest('base64')}`;

/**
 * JSON that stays data inside `<script>`: `<` as `\u003c` (no `</script>`, no `<!--`), and the
 * line and paragraph separators escaped for parsers older than ES2019.
 */
const inertJson = (data: unknown): string =>
  JSON.stringify(data)
    .replaceAll('<', '\\u003c')
    .replaceAll('\u2028', '\\u2028')
    .replaceAll('\u2029', '\\u2029');

import { createHash } from 'node:crypto';
import { REPORT_CSS, REPORT_JS } from './html-app.js';
import type { ReportData } from './report-data.js';

/**
 * The report as one self-contained HTML file: inline CSS and JS only, the data embedded as JSON,
 * nothing fetched (a CSP of `default-src 'none'` forbids it, and the script's own hash is the
 * only script allowed to run), so it opens offline from `file://` and can be attached to a
 * ticket. It leads with the verdict (violations, then failed checkpoints), then a filterable,
 * sortable checkpoint × project table, then the metadata.
 *
 * The data goes in a `<script type="application/json">`, with every `<` written `\u003c`: no
 * server value can close that element (`</script>`) or open a comment (`<!--`). The script
 * builds the page with `textContent` only.
 *
 * @example
 * ```ts
 * const report = new ReportCollector({ allow });
 * for await (const record of auditPermissions(checkpoints, { client, allow })) report.add(record);
 * writeFileSync('report.html', renderHtmlReport(report.data()));
 * ```
 */
export function renderHtmlReport(data: ReportData): string {
  const json = JSON.stringify(data)
    .replaceAll('<', '\\u003c')
    .replaceAll('\u2028', '\\u2028')
    .replaceAll('\u2029', '\\u2029');
  const scriptHash = createHash('sha256').update(REPORT_JS).digest('base64');
  // 'unsafe-inline' only for browsers before CSP 2: any browser that knows hashes ignores it.
  const csp = [
    "default-src 'none'",
    "style-src 'unsafe-inline'",
    `script-src 'unsafe-inline' 'sha256-${scriptHash}'`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>Checkpoint permissions audit</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<main>
<h1>Checkpoint permissions audit</h1>
<div id="verdict" role="status">Loading the report…</div>
<ul class="counts" id="counts"></ul>
<section><h2>Violations</h2><div id="violations"></div></section>
<section><h2>Failed checkpoints</h2><div id="failed"></div></section>
<section id="revocations-section" hidden><h2>Revocations</h2><div id="revocations"></div></section>
<section>
<h2>Checkpoints × projects</h2>
<div class="controls">
<input id="filter" type="search" placeholder="Filter: checkpoint, project, permission or finding id" aria-label="Filter">
<select id="project" aria-label="Project"><option value="">All projects</option></select>
</div>
<div id="grants"></div>
</section>
<section><h2>About this report</h2><dl class="meta" id="meta"></dl></section>
</main>
<script type="application/json" id="report-data">${json}</script>
<script>${REPORT_JS}</script>
</body>
</html>
`;
}

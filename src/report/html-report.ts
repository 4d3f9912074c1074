import { REPORT_JS } from './html-app.js';
import { htmlPage } from './html-shell.js';
import type { ReportData } from './report-data.js';

/**
 * The report as one self-contained HTML file (see {@link htmlPage}: inline CSS and JS only, the
 * data embedded as JSON, nothing fetched, only the report's own script allowed to run). It leads
 * with the verdict (violations, then failed checkpoints), then a filterable, sortable
 * checkpoint × project table, then the metadata. The script builds the page with `textContent`
 * only, so no server value is ever read as HTML.
 *
 * @example
 * ```ts
 * const report = new ReportCollector({ allow });
 * for await (const record of auditPermissions(checkpoints, { client, allow })) report.add(record);
 * writeFileSync('report.html', renderHtmlReport(report.data()));
 * ```
 */
export function renderHtmlReport(data: ReportData): string {
  return htmlPage({
    title: 'Checkpoint permissions audit',
    main: `<h1>Checkpoint permissions audit</h1>
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
<section><h2>About this report</h2><dl class="meta" id="meta"></dl></section>`,
    script: { code: REPORT_JS, data },
  });
}

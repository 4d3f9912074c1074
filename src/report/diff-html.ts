import { VERSION } from '../client/version.js';
import { escapeHtml } from './escape.js';
import { htmlPage } from './html-shell.js';

/** One kind of change, as the diff page shows it: a title, column headers, rows of text. */
export interface DiffHtmlSection {
  readonly title: string;
  readonly total: number;
  readonly headers: readonly string[];
  readonly rows: ReadonlyArray<readonly string[]>;
}

/**
 * `diff --format html`: the changes between two audits as one self-contained page (the shell:
 * {@link htmlPage}), with no script at all (its CSP allows none) and every value escaped as it
 * is written, so it opens offline from `file://` and a hostile name stays text. Leads with the
 * headline ("2 new violations, …"); sections come in the order given, violations first.
 *
 * @example
 * ```ts
 * renderDiffHtml({ old: 'monday.jsonl', new: 'tuesday.jsonl', headline: 'no changes', sections: [], changed: false });
 * ```
 */
export function renderDiffHtml(diff: {
  readonly old: string;
  readonly new: string;
  readonly headline: string;
  readonly changed: boolean;
  readonly sections: readonly DiffHtmlSection[];
  /** @default now */
  readonly generatedAt?: Date;
}): string {
  const sections = diff.sections
    .map((s) => {
      const head = s.headers.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('');
      const body = s.rows
        .map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`)
        .join('\n');
      const more =
        s.total > s.rows.length
          ? `<p class="status">… and ${s.total - s.rows.length} more: run with --format jsonl for every change.</p>`
          : '';
      return `<section><h2>${escapeHtml(s.title)} (${s.total})</h2>\n<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>${more}</section>`;
    })
    .join('\n');
  return htmlPage({
    title: 'Checkpoint permissions: audit diff',
    main: `<h1>What changed: ${escapeHtml(diff.old)} → ${escapeHtml(diff.new)}</h1>
<div id="verdict" class="${diff.changed ? 'fail' : 'pass'}" role="status">${escapeHtml(diff.headline)}</div>
${sections}
<section><h2>About this report</h2><dl class="meta"><dt>Generated</dt><dd>${(diff.generatedAt ?? new Date()).toISOString()}</dd><dt>Tool</dt><dd>checkpoint-permissions ${escapeHtml(VERSION)}</dd></dl></section>`,
  });
}

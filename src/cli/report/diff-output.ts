import type { DiffChange, DiffSummary } from '../../report/diff.js';
import { CHANGE_KINDS, changed } from '../../report/diff.js';
import { renderDiffHtml } from '../../report/diff-html.js';
import { escapeControl, escapeMarkdown } from '../../report/escape.js';
import type { OutputSink } from '../output/sink.js';
import { renderTable } from '../output/table.js';

/** Where `diff` sends each change as it is found, and its summary at the end. */
export interface DiffOutput {
  change(change: DiffChange): Promise<void>;
  end(summary: DiffSummary): Promise<void>;
}

/**
 * JSON Lines, streamed: one `{"change":…}` object per change as the diff finds it, then one
 * `{"summary":{…}}` line. Memory stays flat whatever the number of changes.
 *
 * @example
 * ```ts
 * const out = jsonlDiffOutput(streamSink(process.stdout));
 * await out.change({ change: 'checkpoint-appeared', checkpoint: 'ft:x' }); // {"change":"checkpoint-appeared","checkpoint":"ft:x"}
 * ```
 */
export function jsonlDiffOutput(sink: OutputSink): DiffOutput {
  return {
    change: (change) => sink.write(`${JSON.stringify(change)}\n`),
    end: (summary) => sink.write(`${JSON.stringify({ summary })}\n`),
  };
}

/** Rows kept per section by `table` and `markdown`; counts stay exact beyond it. */
export const SECTION_ROWS = 1000;

const TITLES: Record<DiffChange['change'], string> = {
  'violation-new': 'New violations',
  'violation-resolved': 'Resolved violations',
  'checkpoint-failed': 'Newly failed checkpoints',
  'checkpoint-recovered': 'Recovered checkpoints',
  'checkpoint-appeared': 'Checkpoints that appeared',
  'checkpoint-disappeared': 'Checkpoints that disappeared',
  'grant-added': 'Grants added',
  'grant-removed': 'Grants removed',
};

/**
 * `table` (aligned text for a terminal), `markdown` (for a ticket) or `html` (a page without
 * script): the changes grouped by kind, violations first, at most {@link SECTION_ROWS} rows per
 * kind. Every value from the
 * audits is escaped for where it goes: control characters made visible in both, and Markdown's
 * `|`, backticks and HTML made inert in `markdown`.
 *
 * @example
 * ```ts
 * const out = groupedDiffOutput(streamSink(process.stdout), 'markdown', { old: 'a.jsonl', new: 'b.jsonl' });
 * ```
 */
export function groupedDiffOutput(
  sink: OutputSink,
  style: 'table' | 'markdown' | 'html',
  files: { readonly old: string; readonly new: string },
): DiffOutput {
  const sections = new Map<DiffChange['change'], DiffChange[]>();
  return {
    async change(change) {
      const rows = sections.get(change.change) ?? [];
      if (rows.length < SECTION_ROWS) rows.push(change);
      sections.set(change.change, rows);
    },
    async end(summary) {
      if (style === 'html') {
        const kinds = CHANGE_KINDS.filter((kind) => sections.has(kind));
        await sink.write(
          renderDiffHtml({
            ...files,
            headline: headline(summary),
            changed: changed(summary),
            sections: kinds.map((kind) => {
              const [headers, rows] = tableOf(kind, sections.get(kind)!);
              return {
                title: TITLES[kind],
                total: summary.changes[kind],
                headers: headers.map(titleCase),
                rows,
              };
            }),
          }),
        );
        return;
      }
      const esc = style === 'markdown' ? escapeMarkdown : escapeControl;
      const parts: string[] = [];
      const head = `${esc(files.old)} → ${esc(files.new)}: ${headline(summary)}`;
      parts.push(style === 'markdown' ? `**Audit diff** ${head}\n` : `${head}\n`);
      for (const kind of CHANGE_KINDS) {
        const rows = sections.get(kind);
        if (!rows) continue;
        const total = summary.changes[kind];
        const [headers, cells] = tableOf(kind, rows);
        const escaped = cells.map((row) => row.map(esc));
        const more =
          total > rows.length
            ? `… and ${total - rows.length} more: run with --format jsonl for every change.\n`
            : '';
        parts.push(
          style === 'markdown'
            ? `\n### ${TITLES[kind]} (${total})\n\n${markdownTable(headers, escaped)}${more ? `\n${more}` : ''}`
            : `\n${TITLES[kind]} (${total})\n${renderTable(headers, escaped)}${more}`,
        );
      }
      await sink.write(parts.join(''));
    },
  };
}

/** How the headline counts each kind: singular and plural. */
const COUNTED: Record<DiffChange['change'], readonly [string, string]> = {
  'violation-new': ['new violation', 'new violations'],
  'violation-resolved': ['resolved violation', 'resolved violations'],
  'checkpoint-failed': ['newly failed checkpoint', 'newly failed checkpoints'],
  'checkpoint-recovered': ['recovered checkpoint', 'recovered checkpoints'],
  'checkpoint-appeared': ['checkpoint appeared', 'checkpoints appeared'],
  'checkpoint-disappeared': ['checkpoint disappeared', 'checkpoints disappeared'],
  'grant-added': ['grant added', 'grants added'],
  'grant-removed': ['grant removed', 'grants removed'],
};

/** "2 new violations, 1 grant removed" or "no changes", with the uncompared grants if any. */
export function headline(summary: DiffSummary): string {
  const said = CHANGE_KINDS.filter((k) => summary.changes[k] > 0).map(
    (k) => `${summary.changes[k]} ${COUNTED[k][summary.changes[k] === 1 ? 0 : 1]}`,
  );
  const text = said.length > 0 ? said.join(', ') : 'no changes';
  return summary.uncompared > 0
    ? `${text} (${summary.uncompared} grants not compared: their checkpoint failed in one audit)`
    : text;
}

function tableOf(kind: DiffChange['change'], rows: readonly DiffChange[]): [string[], string[][]] {
  if (kind === 'checkpoint-failed')
    return [['CHECKPOINT', 'ERROR'], rows.map((c) => [c.checkpoint, 'error' in c ? c.error : ''])];
  if (kind.startsWith('checkpoint-')) return [['CHECKPOINT'], rows.map((c) => [c.checkpoint])];
  const headers = ['CHECKPOINT', 'PROJECT', 'PERMISSION', 'CREATED', 'FINDING'];
  if (kind === 'violation-resolved') headers.push('HOW');
  return [
    headers,
    rows.map((c) => {
      if (!('id' in c)) return [c.checkpoint];
      const row = [c.checkpoint, c.project_id, c.id, isoDate(c.created_at), c.finding_id];
      if ('reason' in c) row.push(c.reason === 'removed' ? 'grant removed' : 'now allowed');
      return row;
    }),
  ];
}

function isoDate(seconds: number | undefined): string {
  if (seconds === undefined) return '';
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? String(seconds) : date.toISOString().replace('.000', '');
}

function markdownTable(headers: readonly string[], rows: readonly string[][]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |\n`;
  return line(headers.map(titleCase)) + line(headers.map(() => '---')) + rows.map(line).join('');
}

/** A table header as a title: `CHECKPOINT` as `Checkpoint`. */
function titleCase(header: string): string {
  return header.charAt(0) + header.slice(1).toLowerCase();
}

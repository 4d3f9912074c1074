import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src/audit/audit-record.js';
import { renderDiffHtml } from '../../src/report/diff-html.js';
import { renderHtmlReport } from '../../src/report/html-report.js';
import { ReportCollector } from '../../src/report/report-data.js';

const collector = new ReportCollector();
collector.add({
  type: 'permission',
  checkpoint: 'ft:a',
  id: 'cp_1',
  project_id: 'proj_1',
  created_at: 1,
  allowed: false,
  finding_id: 'f_1',
} as AuditRecord);
const pages = {
  audit: renderHtmlReport(collector.data()),
  diff: renderDiffHtml({
    old: 'a.jsonl',
    new: 'b.jsonl',
    headline: 'no changes',
    changed: false,
    sections: [],
  }),
};

/** The page's CSP, one entry per directive: `{ 'default-src': "'none'", … }`. */
function policyOf(html: string): Record<string, string> {
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)![1]!;
  return Object.fromEntries(
    csp.split(';').map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name!, values.join(' ')];
    }),
  );
}

/** The base64 SHA-256 of every script the page would run (data blocks are not run). */
const scriptHashes = (html: string): string[] =>
  [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map(
    (m) => `'sha256-${createHash('sha256').update(m[1]!).digest('base64')}'`,
  );

describe('the HTML page shell, shared by the audit report and the diff page', () => {
  it('gives both the same head, but for the title and the script their CSP pins', () => {
    const head = (html: string): string =>
      /<head>[\s\S]*<\/head>/
        .exec(html)![0]
        .replace(/<title>.*<\/title>/, '<title>…</title>')
        .replace(/ script-src [^;]*;/, '');
    expect(head(pages.audit)).toBe(head(pages.diff));
    expect(pages.audit.startsWith('<!doctype html>\n<html lang="en">\n<head>\n')).toBe(true);
    expect(pages.diff.startsWith('<!doctype html>\n<html lang="en">\n<head>\n')).toBe(true);
  });

  it('forbids every request, and allows exactly the scripts the page carries, by their SHA-256', () => {
    for (const html of Object.values(pages)) {
      const { 'script-src': scripts, ...rest } = policyOf(html);
      expect(rest).toEqual({
        'default-src': "'none'",
        'style-src': "'unsafe-inline'",
        'img-src': 'data:',
        'base-uri': "'none'",
        'form-action': "'none'",
      });
      const pinned = scripts?.split(' ').filter((s) => s.startsWith("'sha256-")) ?? [];
      expect(pinned).toEqual(scriptHashes(html));
    }
    // The audit report runs its one script; the diff page has none, so default-src forbids all.
    expect(scriptHashes(pages.audit)).toHaveLength(1);
    expect(scriptHashes(pages.diff)).toEqual([]);
    expect(policyOf(pages.diff)['script-src']).toBeUndefined();
  });
});

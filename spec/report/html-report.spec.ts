import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src/audit/audit-record.js';
import { VERSION } from '../../src/client/version.js';
import { renderHtmlReport } from '../../src/report/html-report.js';
import { allowListDigest, ReportCollector } from '../../src/report/report-data.js';
import { run } from '../cli/helpers.js';

const permission = (checkpoint: string, extra: Record<string, unknown> = {}): AuditRecord =>
  ({
    type: 'permission',
    checkpoint,
    id: 'cp_1',
    project_id: 'proj_1',
    created_at: 1,
    allowed: undefined,
    ...extra,
  }) as AuditRecord;

describe('renderHtmlReport', () => {
  const hostile = 'ft:</script><script>alert(1)</script><!--\u2028';
  const collector = new ReportCollector();
  collector.add(permission(hostile));
  const html = renderHtmlReport(collector.data());

  it('embeds the data so that no value can close its <script> or open a comment', () => {
    const json = /<script type="application\/json" id="report-data">(.*)<\/script>/.exec(html)![1]!;
    expect(json).not.toMatch(/<|\u2028/);
    expect((JSON.parse(json) as { checkpoints: string[] }).checkpoints).toEqual([hostile]);
    expect(html.match(/<\/script>/g)).toHaveLength(2); // the data's and the app's, nothing else
  });

  it('references nothing outside itself, under a CSP that allows only its own script', () => {
    expect(html).toMatch(
      /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline' 'sha256-[A-Za-z0-9+/=]{44}'; img-src data:;/,
    );
    const references = [...html.matchAll(/\b(?:src|href|action)\s*=\s*"([^"]*)"/g)].map(
      (m) => m[1],
    );
    expect(references).toEqual(['data:,']);
    expect(html).not.toMatch(/https?:\/\/|@import|url\(/);
  });
});

describe('ReportCollector', () => {
  it('keeps project names and statuses, a coverage record and the summary as metadata', () => {
    const collector = new ReportCollector({
      allow: { projects: ['proj_1'] },
      organization: 'org-acme',
      generatedAt: new Date('2026-01-02T03:04:05Z'),
    });
    collector.add(permission('ft:a', { project_name: 'Weather', project_status: 'archived' }));
    collector.add(permission('ft:b', { id: 'cp_2', allowed: false, finding_id: 'f_x' }));
    collector.add({ type: 'coverage', jobs: 3 } as unknown as AuditRecord);
    collector.add({
      type: 'error',
      checkpoint: 'ft:c',
      error: { status: 404, type: null, message: 'gone', request_id: 'req_1' },
      cause: undefined,
    });
    collector.add({
      type: 'revocation',
      checkpoint: 'ft:b',
      id: 'cp_2',
      project_id: 'proj_1',
      finding_id: 'f_x',
      dryRun: true,
      deleted: false,
      error: undefined,
    });
    const data = collector.data();
    expect(data.meta).toEqual({
      generatedAt: '2026-01-02T03:04:05.000Z',
      version: VERSION,
      organization: 'org-acme',
      allowListDigest: allowListDigest({ projects: ['proj_1'] }),
      coverage: { jobs: 3 },
    });
    expect(data.projects).toEqual([['proj_1', 'Weather', 'archived']]);
    expect(data.grants).toEqual([
      [0, 0, 'cp_1', 1, -1, null],
      [1, 0, 'cp_2', 1, 0, 'f_x'],
    ]);
    expect(data.failed).toEqual([[2, 'gone', 404, 'req_1']]);
    expect(data.revocations).toEqual([[1, 'cp_2', 'proj_1', 'would revoke']]);
  });
});

describe('allowListDigest', () => {
  it('digests the meaning: order, duplicates and formatting do not change it; content does', () => {
    const a = allowListDigest({ projects: ['b', 'a'], checkpoints: { y: ['2', '1'], x: [] } });
    expect(a).toBe(
      allowListDigest({ projects: ['a', 'b', 'a'], checkpoints: { x: [], y: ['1', '2'] } }),
    );
    expect(a).not.toBe(allowListDigest({ projects: ['a', 'b'], checkpoints: { y: ['1'] } }));
    expect(a).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});

describe('audit --format html', () => {
  it('refuses --resume (64): the report is written whole at the end', async () => {
    const r = await run(['audit', 'ft:x', '--format', 'html', '--state', 's.json', '--resume']);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/--format html .* cannot --resume: resume with --format jsonl/);
  });
});

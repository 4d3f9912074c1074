import { describe, expect, it } from 'vitest';
import type {
  AuditRecord,
  PageRecord,
  PermissionRecord,
  RevocationRecord,
} from '../../src/audit/audit-record.js';
import type { OutputSink } from '../../src/cli/output/sink.js';
import { RecordWriter } from '../../src/cli/record-writer.js';

/** An output that keeps each write apart, and a journal that keeps each commit's offset. */
function harness(format: 'jsonl' | 'csv' | 'table', revoke = false) {
  const writes: string[] = [];
  const commits: Array<[type: string, offset: number | undefined]> = [];
  const sink: OutputSink = {
    get bytes() {
      return Buffer.byteLength(writes.join(''));
    },
    write: async (text) => void writes.push(text),
    close: async () => {},
  };
  const writer = new RecordWriter({
    format,
    withAllowed: true,
    revoke,
    sink,
    journal: { commit: (record, offset) => void commits.push([record.type, offset]) },
  });
  return { writer, writes, commits, sink };
}

const permission = (id: string, allowed: boolean): PermissionRecord => ({
  type: 'permission',
  checkpoint: 'ft:a',
  id,
  project_id: `proj_${id}`,
  created_at: 1,
  allowed,
  project_name: null,
  project_status: null,
  archived: false,
});
const page: PageRecord = {
  type: 'page',
  checkpoint: 'ft:a',
  page: 1,
  permissions: 2,
  after: null,
  violations: [],
};

describe('RecordWriter', () => {
  it('writes a page’s lines in one piece, then commits the page at the end of them', async () => {
    const { writer, writes, commits, sink } = harness('jsonl');
    const records: AuditRecord[] = [permission('p1', true), permission('p2', false), page];
    for (const record of records) await writer.write(record);
    expect(writes).toHaveLength(1);
    expect(
      writes[0]!
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line).id),
    ).toEqual(['p1', 'p2']);
    expect(commits).toEqual([['page', sink.bytes]]);
  });

  it('in CSV with --revoke, writes a violation once, in the row of its revocation', async () => {
    const { writer, writes } = harness('csv', true);
    await writer.start();
    const revocation: RevocationRecord = {
      type: 'revocation',
      checkpoint: 'ft:a',
      id: 'p2',
      project_id: 'proj_p2',
      dryRun: true,
      deleted: false,
      error: undefined,
      finding_id: 'f1',
    };
    for (const record of [permission('p1', true), permission('p2', false), page, revocation])
      await writer.write(record);
    const rows = writes.join('').trim().split('\r\n');
    expect(rows.filter((row) => row.includes('proj_p2'))).toHaveLength(1);
    expect(rows.filter((row) => row.includes('proj_p1'))).toHaveLength(1);
  });

  it('writes no lines for --format table, but still commits each page', async () => {
    const { writer, writes, commits } = harness('table');
    for (const record of [permission('p1', true), page]) await writer.write(record);
    expect(writes).toEqual([]);
    expect(commits).toEqual([['page', 0]]);
  });
});

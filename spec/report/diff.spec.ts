import { describe, expect, it } from 'vitest';
import { findingId } from '../../src/audit/finding-id.js';
import { AuditOutputError, readAuditLines, type AuditLine } from '../../src/report/audit-lines.js';
import { diffAudits, type DiffChange } from '../../src/report/diff.js';

const grant = (checkpoint: string, id: string, allowed?: boolean): string =>
  `${JSON.stringify({ checkpoint, id, project_id: `proj_${id}`, created_at: 1, allowed })}\n`;
const failure = (checkpoint: string): string =>
  `${JSON.stringify({ checkpoint, error: { status: 500, type: null, message: 'boom', request_id: null } })}\n`;

async function* chunksOf(text: string, size: number): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}
const source = (text: string) => () => readAuditLines(chunksOf(text, 7), 'test.jsonl');
async function diff(
  old: string,
  next: string,
): Promise<{ changes: DiffChange[]; uncompared: number }> {
  const changes: DiffChange[] = [];
  const summary = await diffAudits(source(old), source(next), (c) => void changes.push(c));
  return { changes, uncompared: summary.uncompared };
}
const said = (changes: DiffChange[]): string[] =>
  changes.map((c) => `${c.change} ${c.checkpoint}${'id' in c ? ` ${c.id}` : ''}`).sort();

describe('readAuditLines', () => {
  it('reads lines split anywhere across chunks, multi-byte characters included, CRLF tolerated', async () => {
    const text = `${grant('ft:é😀', 'cp_1', false).replace('\n', '\r\n')}\n${failure('ft:b')}{"type":"coverage","jobs":3}\n`;
    for (const size of [1, 2, 3, 5, 64]) {
      const records: AuditLine[] = [];
      for await (const { record } of readAuditLines(chunksOf(text, size), 'x'))
        records.push(record);
      expect(records).toEqual([
        {
          kind: 'grant',
          checkpoint: 'ft:é😀',
          id: 'cp_1',
          project_id: 'proj_cp_1',
          created_at: 1,
          allowed: false,
          finding_id: undefined,
        },
        { kind: 'failure', checkpoint: 'ft:b', message: 'boom' },
        { kind: 'other' },
      ]);
    }
  });

  it.each([
    ['[1,2]\n', 1, /is not a line of `audit/],
    [`${grant('ft:a', 'cp_1')}{"checkpoint":"ft:a"}\n`, 2, /is not a line/],
    [`${grant('ft:a', 'cp_1')}\n\n{"checkpoint":"ft:a","id":"cp_2"`, 4, /ends mid-line/],
  ])('%j fails at line %d', async (text, line, reason) => {
    const read = async (): Promise<void> => {
      for await (const _ of readAuditLines(chunksOf(text, 4), 'f.jsonl')) void _;
    };
    const error = await read().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuditOutputError);
    expect((error as AuditOutputError).line).toBe(line);
    expect((error as Error).message).toMatch(reason);
    expect((error as Error).message).toMatch(new RegExp(`^f\\.jsonl, line ${line}: `));
  });
});

describe('diffAudits', () => {
  it('says which checkpoints appeared, disappeared, newly failed and recovered', async () => {
    const old =
      grant('ft:gone', 'cp_1') +
      grant('ft:stays', 'cp_2') +
      failure('ft:was-broken') +
      failure('ft:still-broken');
    const next =
      grant('ft:stays', 'cp_2') +
      grant('ft:new', 'cp_3') +
      grant('ft:was-broken', 'cp_4') +
      failure('ft:still-broken') +
      failure('ft:breaks');
    const { changes } = await diff(old, next);
    expect(said(changes)).toEqual(
      [
        'checkpoint-appeared ft:new',
        'checkpoint-disappeared ft:gone',
        'checkpoint-failed ft:breaks',
        'checkpoint-recovered ft:was-broken',
        'grant-added ft:new cp_3',
        'grant-removed ft:gone cp_1',
      ].sort(),
    );
  });

  it('never takes a failure for a fix: grants of a checkpoint failed in NEW are not removed, nor its violations resolved', async () => {
    const old = grant('ft:a', 'cp_1', false) + grant('ft:a', 'cp_2', true);
    const next = grant('ft:a', 'cp_2', true) + failure('ft:a');
    const { changes, uncompared } = await diff(old, next);
    expect(said(changes)).toEqual(['checkpoint-failed ft:a']);
    expect(uncompared).toBe(1);
  });

  it('grants of a checkpoint failed in OLD are not "added", but its violations are new', async () => {
    const { changes, uncompared } = await diff(
      failure('ft:a'),
      grant('ft:a', 'cp_1', false) + grant('ft:a', 'cp_2', true),
    );
    expect(said(changes)).toEqual(['checkpoint-recovered ft:a', 'violation-new ft:a cp_1']);
    expect(uncompared).toBe(2);
  });

  it('a violation now allowed is resolved "allowed"; one revoked is resolved "removed"; ids are finding ids', async () => {
    const old =
      grant('ft:a', 'cp_1', false) + grant('ft:a', 'cp_2', false) + grant('ft:a', 'cp_3', true);
    const next =
      grant('ft:a', 'cp_1', true) + grant('ft:a', 'cp_3', false) + grant('ft:a', 'cp_3', false);
    const { changes } = await diff(old, next);
    expect(
      changes.map((c) => [c.change, 'id' in c ? c.id : '', 'reason' in c ? c.reason : '']),
    ).toEqual([
      ['violation-resolved', 'cp_1', 'allowed'],
      ['violation-new', 'cp_3', ''],
      ['grant-removed', 'cp_2', ''],
      ['violation-resolved', 'cp_2', 'removed'],
    ]);
    expect(changes[0]).toMatchObject({ finding_id: findingId('ft:a', 'proj_cp_1', 'cp_1') });
  });

  it('NEW without an allow-list neither resolves nor adds violations', async () => {
    const { changes } = await diff(grant('ft:a', 'cp_1', false), grant('ft:a', 'cp_1'));
    expect(changes).toEqual([]);
  });
});

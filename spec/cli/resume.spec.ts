import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startEmulator,
  type CheckpointPermission,
  type Emulator,
} from '../../src/emulator/index.js';
import {
  connect,
  countPermissions,
  expectedGroups,
  groupByCheckpoint,
  linesOf,
  parseCsv,
  run,
  SECRET_KEY,
  startSpecEmulator,
} from './helpers.js';

let emulator: Emulator;
let dir: string;

beforeAll(async () => {
  emulator = await startSpecEmulator();
  dir = mkdtempSync(join(tmpdir(), 'cli-resume-'));
});
afterAll(async () => {
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

const truth = (): Record<string, CheckpointPermission[]> => emulator.truth().permissions;
const total = (): number => countPermissions(truth());
let runs = 0;
/** Fresh state and output paths for one scenario. */
const paths = (): { state: string; output: string } => {
  runs++;
  return { state: join(dir, `${runs}.state`), output: join(dir, `${runs}.out`) };
};
const auditArgs = (state: string, output: string, ...more: string[]): string[] => [
  'audit',
  '--all',
  '--limit',
  '10',
  '--state',
  state,
  '--output',
  output,
  '--quiet',
  ...more,
  ...connect(emulator),
];

/** The output length committed by the last of these journal lines that has one (0 if none). */
const offsetOf = (lines: readonly string[]): number =>
  lines
    .map((line) => (JSON.parse(line) as { offset?: number }).offset)
    .filter((offset) => typeof offset === 'number')
    .at(-1) ?? 0;

/** The report file must hold the truth exactly: every permission once, in order per checkpoint. */
function expectTruth(output: string): void {
  const lines = linesOf(readFileSync(output, 'utf8'));
  expect(groupByCheckpoint(lines)).toEqual(expectedGroups(emulator.truth()));
  expect(lines).toHaveLength(total());
}

describe('audit --output and --state', () => {
  it('writes the report to the file, nothing to stdout, and journals every checkpoint as done', async () => {
    const { state, output } = paths();
    const r = await run(auditArgs(state, output));
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
    expectTruth(output);
    const entries = linesOf(readFileSync(state, 'utf8')).map(
      (line) => JSON.parse(line) as { checkpoint: string; done?: true; offset: number },
    );
    expect(new Set(entries.filter((e) => e.done).map((e) => e.checkpoint))).toEqual(
      new Set(Object.keys(truth())),
    );
    expect(entries.at(-1)!.offset).toBe(readFileSync(output).length);
  });

  it('resuming a finished audit audits nothing and leaves the report as it was', async () => {
    const { state, output } = paths();
    await run(auditArgs(state, output));
    const before = readFileSync(output, 'utf8');
    const r = await run(auditArgs(state, output, '--resume').filter((a) => a !== '--quiet'));
    expect(r.code).toBe(0);
    const n = Object.keys(truth()).length;
    expect(r.stderr).toMatch(
      new RegExp(`^Audited 0 checkpoints \\(0 ok, 0 failed, ${n} already done\\) · 0 permissions`),
    );
    expect(readFileSync(output, 'utf8')).toBe(before);
  });

  it('without --resume, starts afresh over an old state and report', async () => {
    const { state, output } = paths();
    writeFileSync(
      state,
      `${JSON.stringify({ checkpoint: Object.keys(truth())[0], done: true, offset: 5 })}\n`,
    );
    writeFileSync(output, 'stale text that must go\n');
    const r = await run(auditArgs(state, output));
    expect(r.code).toBe(0);
    expectTruth(output);
  });

  it('--resume with no state file yet runs the whole audit', async () => {
    const { state, output } = paths();
    expect(existsSync(state)).toBe(false);
    const r = await run(auditArgs(state, output, '--resume'));
    expect(r.code).toBe(0);
    expectTruth(output);
  });
});

describe('audit --resume after a kill', () => {
  /**
   * A kill can strike anywhere: after any journal entry, in the middle of the next one, and after
   * some report lines were written but not yet committed. We replay every such point from a
   * complete run's own journal and report: keep the first `k` lines (the header, which is written
   * whole by a rename, and `k - 1` entries) plus half of the next, keep the report up to the last
   * kept entry's offset plus a torn line, then resume. The report must end as the truth, exactly.
   * Each point is replayed in the run's own files: a resume is refused anywhere else.
   */
  it('yields exactly the truth from every kill point of a journal', async () => {
    const { state, output } = paths();
    expect((await run(auditArgs(state, output, '--concurrency', '4'))).code).toBe(0);
    const journal = linesOf(readFileSync(state, 'utf8'));
    const report = readFileSync(output);
    expect(journal.length).toBeGreaterThan(30);

    for (let k = 1; k < journal.length; k += 3) {
      const kept = journal.slice(0, k);
      const offset = offsetOf(kept);
      const torn = journal[k]!.slice(0, Math.floor(journal[k]!.length / 2));
      writeFileSync(state, kept.map((line) => `${line}\n`).join('') + torn);
      writeFileSync(output, report.subarray(0, Math.min(report.length, offset + 37)));
      const r = await run(auditArgs(state, output, '--resume'));
      expect({ k, code: r.code, stderr: r.stderr }).toEqual({ k, code: 0, stderr: '' });
      expectTruth(output);
    }
  });

  it('does not repeat the CSV header', async () => {
    const { state, output } = paths();
    expect((await run(auditArgs(state, output, '--format', 'csv'))).code).toBe(0);
    const journal = linesOf(readFileSync(state, 'utf8'));
    const k = Math.floor(journal.length / 2);
    writeFileSync(state, journal.slice(0, k).join('\n') + '\n');
    writeFileSync(output, readFileSync(output).subarray(0, offsetOf(journal.slice(0, k))));
    expect((await run(auditArgs(state, output, '--format', 'csv', '--resume'))).code).toBe(0);
    const [header, ...rows] = parseCsv(readFileSync(output, 'utf8'));
    expect(header![0]).toBe('checkpoint');
    expect(rows).toHaveLength(total());
    expect(new Set(rows.map((row) => `${row[0]} ${row[1]}`)).size).toBe(total());
  });
});

describe('audit --revoke --resume', () => {
  /**
   * A violation on a page committed before a kill must still be revoked (or reported, in a dry
   * run) by the resumed audit. Today it is not: auditPermissions$ collects violations in memory
   * while it pages and revokes them after the last page, so a run resumed from a cursor only
   * knows the violations of the pages it fetched itself (src/audit/audit-permissions.ts,
   * auditCheckpoint/revoke), and the journal marks a checkpoint done at its last page, before its
   * revocations (src/audit/progress-journal.ts, commit).
   */
  it('revokes a violation found before the kill', async () => {
    const own = await startSpecEmulator({ seed: 3 });
    try {
      const permissions = own.truth().permissions;
      const [checkpoint, list] = Object.entries(permissions).sort(
        (a, b) => b[1].length - a[1].length,
      )[0]!;
      const rogue = list[0]!;
      const every = new Set(list.map((p) => p.project_id));
      every.delete(rogue.project_id);
      const allow = join(dir, 'resume-allow.json');
      writeFileSync(allow, JSON.stringify([...every]));
      // What a run killed after its first page leaves: ten lines, and their journal entry.
      const firstPage = list
        .slice(0, 10)
        .map((p) =>
          JSON.stringify({
            checkpoint,
            id: p.id,
            project_id: p.project_id,
            created_at: p.created_at,
            allowed: p.project_id !== rogue.project_id,
          }),
        )
        .map((line) => `${line}\n`)
        .join('');
      const { state, output } = paths();
      const argv = [
        'audit',
        checkpoint,
        '--limit',
        '10',
        '--allow',
        allow,
        '--revoke',
        '--apply',
        '--state',
        state,
        '--output',
        output,
        '--quiet',
      ];
      // The journal's first line, recording this run: from the same command against an
      // organization without that checkpoint, which fails it (2) before any page.
      const empty = await startEmulator({ adminKey: SECRET_KEY, dataset: { checkpoints: {} } });
      try {
        expect((await run([...argv, ...connect(empty)])).code).toBe(2);
      } finally {
        await empty.close();
      }
      const header = linesOf(readFileSync(state, 'utf8'))[0]!;
      writeFileSync(output, firstPage);
      writeFileSync(
        state,
        `${header}\n${JSON.stringify({
          checkpoint,
          after: list[9]!.id,
          violations: list
            .slice(0, 10)
            .filter((p) => p.project_id === rogue.project_id)
            .map((p) => ({ id: p.id, project_id: p.project_id })),
          offset: Buffer.byteLength(firstPage),
        })}\n`,
      );
      const r = await run([
        ...argv,
        '--resume',
        '--base-url',
        own.url,
        '--admin-key',
        own.adminKey,
      ]);
      expect(own.truth().permissions[checkpoint]!.map((p) => p.project_id)).not.toContain(
        rogue.project_id,
      );
      expect(r.code).toBe(1);
    } finally {
      await own.close();
    }
  });
});

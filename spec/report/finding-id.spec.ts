import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditPermissions$ } from '../../src/audit/audit-permissions.js';
import type { PermissionRecord } from '../../src/audit/audit-record.js';
import { findingId } from '../../src/audit/finding-id.js';
import { createClient } from '../../src/client/create-client.js';
import type { Emulator } from '../../src/emulator/index.js';
import { connect, linesOf, parseCsv, run, startSpecEmulator } from '../cli/helpers.js';

describe('findingId', () => {
  // Vectors computed independently, with Python's hashlib over the documented netstrings.
  it.each([
    [
      'ft:gpt-4o-mini-2024-07-18:acme:weather:B7R9VjQd',
      'proj_contractor',
      'cp_zc4Q7MP6',
      'f_45984a67adc154da09f1075c6bd30f0b',
    ],
    ['ft:a:b,c', 'proj_é', 'cp_1', 'f_fa11d43b66dd76704a08dc2bce02edf4'],
  ])('%s / %s / %s -> %s, as docs/reports.md derives it', (checkpoint, project, id, expected) => {
    expect(findingId(checkpoint, project, id)).toBe(expected);
  });

  it('is unambiguous: moving a separator between fields changes the id', () => {
    expect(findingId('ft:a', 'b,c', 'd')).not.toBe(findingId('ft:a,b', 'c', 'd'));
    expect(findingId('ft:a', '1:b', 'c')).not.toBe(findingId('ft:a1:', 'b', 'c'));
    expect(findingId('a', 'b', 'c')).toMatch(/^f_[0-9a-f]{32}$/);
  });
});

describe('finding ids in audits', () => {
  let emulator: Emulator;
  let dir: string;
  beforeAll(async () => {
    emulator = await startSpecEmulator();
    dir = mkdtempSync(join(tmpdir(), 'finding-id-'));
  });
  afterAll(async () => {
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Forbids the project of the biggest checkpoint's first permission; the truth's violations. */
  const setup = (): { allow: string; expected: Map<string, string> } => {
    const truth = emulator.truth().permissions;
    const [biggest] = Object.entries(truth).sort((a, b) => b[1].length - a[1].length)[0]!;
    const banned = truth[biggest]![0]!.project_id;
    const every = new Set(Object.values(truth).flatMap((l) => l.map((p) => p.project_id)));
    every.delete(banned);
    const allow = join(dir, 'allow.json');
    writeFileSync(allow, JSON.stringify([...every]));
    const expected = new Map<string, string>();
    for (const [checkpoint, list] of Object.entries(truth))
      for (const p of list.filter((q) => q.project_id === banned))
        expected.set(p.id, findingId(checkpoint, p.project_id, p.id));
    return { allow, expected };
  };

  it('every violation record carries its finding_id, the same in two runs; allowed records none', async () => {
    const truth = emulator.truth().permissions;
    const { expected } = setup();
    const banned = [...expected.keys()];
    const projects = new Set(
      Object.values(truth).flatMap((l) =>
        l.filter((p) => !banned.includes(p.id)).map((p) => p.project_id),
      ),
    );
    const audit = async (): Promise<PermissionRecord[]> => {
      await using client = createClient({ adminAPIKey: emulator.adminKey, baseURL: emulator.url });
      const records = await lastValueFrom(
        auditPermissions$(Object.keys(truth), {
          client,
          allow: { projects: [...projects].filter((p) => !p.startsWith('x')) },
        }).pipe(toArray()),
      );
      return records.filter((r): r is PermissionRecord => r.type === 'permission');
    };
    const [first, second] = [await audit(), await audit()];
    const ids = (records: PermissionRecord[]): Record<string, string | undefined> =>
      Object.fromEntries(records.map((r) => [r.id, r.finding_id]));
    expect(ids(first)).toEqual(ids(second));
    for (const r of first) {
      if (r.allowed === false)
        expect(r.finding_id).toBe(findingId(r.checkpoint, r.project_id, r.id));
      else expect(r).not.toHaveProperty('finding_id');
    }
    expect(first.some((r) => r.allowed === false)).toBe(true);
  });

  it('JSONL violation lines end with "finding_id"; CSV has a finding_id column', async () => {
    const { allow, expected } = setup();
    const jsonl = await run(['audit', '--all', '--allow', allow, '--quiet', ...connect(emulator)]);
    expect(jsonl.code).toBe(1);
    const lines = linesOf(jsonl.stdout).map((l) => JSON.parse(l) as Record<string, unknown>);
    const flagged = lines.filter((l) => l.allowed === false);
    expect(new Map(flagged.map((l) => [l.id, l.finding_id]))).toEqual(expected);
    expect(Object.keys(flagged[0]!).at(-1)).toBe('finding_id');
    expect(lines.filter((l) => l.allowed === true).every((l) => !('finding_id' in l))).toBe(true);

    const csv = await run([
      'audit',
      '--all',
      '--allow',
      allow,
      '--format',
      'csv',
      '--quiet',
      ...connect(emulator),
    ]);
    const [header, ...rows] = parseCsv(csv.stdout);
    expect(header?.at(-1)).toBe('finding_id');
    const column = header!.indexOf('finding_id');
    const id = header!.indexOf('id');
    const violations = rows.filter((r) => r[header!.indexOf('allowed')] === 'false');
    expect(new Map(violations.map((r) => [r[id], r[column]]))).toEqual(expected);
    expect(
      rows.filter((r) => r[header!.indexOf('allowed')] === 'true').every((r) => r[column] === ''),
    ).toBe(true);
  });
});

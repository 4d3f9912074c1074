import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { findingId } from '../../src/audit/finding-id.js';
import { ExitCode } from '../../src/cli/exit-codes.js';
import type { CheckpointPermission, Emulator } from '../../src/emulator/index.js';
import {
  connect,
  expectOneErrorLine,
  linesOf,
  parseCsv,
  run,
  startSpecEmulator,
  CSV_HEADER,
} from './helpers.js';

/** Each spec gets a fresh emulator: revocations change its data. */
let emulator: Emulator;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cli-guards-'));
});
beforeEach(async () => {
  emulator = await startSpecEmulator({ seed: 3 });
  return () => emulator.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, text: string | Buffer): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const truth = (): Record<string, CheckpointPermission[]> => emulator.truth().permissions;
/** The checkpoint with the most permissions (250 in the spec emulator's dataset). */
const biggest = (): string =>
  Object.entries(truth()).sort((a, b) => b[1].length - a[1].length)[0]![0];
/** The projects of every permission of a checkpoint but its first `rogue`. */
const keepAllBut = (checkpoint: string, rogue: number): string[] => {
  const permissions = truth()[checkpoint]!;
  return permissions.slice(rogue).map((p) => p.project_id);
};

interface RevocationLine {
  checkpoint: string;
  revoke: { id: string; project_id: string; dry_run: boolean; deleted: boolean; reason?: string };
}
const revocationLines = (stdout: string): RevocationLine[] =>
  linesOf(stdout)
    .map((line) => JSON.parse(line) as Partial<RevocationLine>)
    .filter((r): r is RevocationLine => r.revoke !== undefined);

describe('a misspelled or empty allow-list', () => {
  const refused: Array<[string, string, RegExp]> = [
    [
      'a misspelled key',
      '{"projets":["proj_a"]}',
      /unknown key "projets".*takes "projects" and "checkpoints"/,
    ],
    ['an empty object', '{}', /allows no project.*--allow-empty/],
    ['an empty array', '[]', /allows no project.*--allow-empty/],
    ['an empty file', '', /allows no project.*--allow-empty/],
    ['only comments', '# nobody yet\n\n', /allows no project.*--allow-empty/],
    ['empty lists', '{"projects":[],"checkpoints":{"ft:x":[]}}', /allows no project/],
    ['JSON null', 'null', /holds JSON null, not an allow-list/],
    ['a JSON number', '42', /holds JSON 42, not an allow-list/],
    ['a bare JSON string', '"proj_a"', /holds JSON "proj_a", not an allow-list/],
  ];
  it.each(refused)(
    'is refused with --revoke --apply (%s): exit 65, nothing requested or revoked',
    async (name, text, pattern) => {
      const before = emulator.truth();
      const allow = file(`${name.replaceAll(' ', '-')}.allow`, text);
      const r = await run([
        'audit',
        biggest(),
        '--allow',
        allow,
        '--revoke',
        '--apply',
        ...connect(emulator),
      ]);
      expectOneErrorLine(r, ExitCode.DataError, pattern);
      expect(emulator.stats().requests).toBe(0);
      expect(emulator.truth()).toEqual(before);
    },
  );

  it('is accepted with --allow-empty: every permission is a violation', async () => {
    const checkpoint = biggest();
    const allow = file('empty-on-purpose.json', '{}');
    const r = await run([
      'audit',
      checkpoint,
      '--allow',
      allow,
      '--allow-empty',
      '--revoke',
      '--quiet',
      ...connect(emulator),
    ]);
    expect(r.code).toBe(ExitCode.Violations);
    expect(revocationLines(r.stdout).map((l) => l.revoke.id)).toEqual(
      expect.arrayContaining(truth()[checkpoint]!.map((p) => p.id)),
    );
    expect(revocationLines(r.stdout)).toHaveLength(truth()[checkpoint]!.length);
  });

  it('--allow-empty needs --allow', async () => {
    const r = await run(['audit', 'ft:x', '--allow-empty', ...connect(emulator)]);
    expectOneErrorLine(r, ExitCode.Usage, /--allow-empty only makes sense with --allow/);
  });
});

describe('--max-revocations', () => {
  it('revokes at most 100 by default, reports the rest as over budget, and exits 3', async () => {
    const checkpoint = biggest();
    const before = truth()[checkpoint]!;
    expect(before.length).toBeGreaterThan(100);
    const allow = file('nobody.txt', 'proj_nobody_at_all\n');
    const r = await run([
      'audit',
      checkpoint,
      '--allow',
      allow,
      '--revoke',
      '--apply',
      ...connect(emulator),
    ]);
    expect(r.code).toBe(ExitCode.RevocationBudget);
    const lines = revocationLines(r.stdout);
    const deleted = lines.filter((l) => l.revoke.deleted);
    const over = lines.filter((l) => l.revoke.reason === 'budget-exhausted');
    expect(deleted).toHaveLength(100);
    expect(over).toHaveLength(before.length - 100);
    expect(over.every((l) => !l.revoke.deleted)).toBe(true);
    // Exactly the permissions reported deleted are gone; the others are all still there.
    const gone = new Set(deleted.map((l) => l.revoke.id));
    expect(truth()[checkpoint]).toEqual(before.filter((p) => !gone.has(p.id)));
    expect(r.stderr).toContain(
      `${before.length - 100} violations not revoked: the --max-revocations budget of 100 ran out`,
    );
  });

  it('takes a smaller budget, and writes one CSV row per permission', async () => {
    const checkpoint = biggest();
    const before = truth()[checkpoint]!;
    const allow = file('keep.json', JSON.stringify({ projects: keepAllBut(checkpoint, 5) }));
    const r = await run([
      'audit',
      checkpoint,
      '--allow',
      allow,
      '--revoke',
      '--apply',
      '--max-revocations',
      '2',
      '--format',
      'csv',
      '--quiet',
      ...connect(emulator),
    ]);
    expect(r.code).toBe(ExitCode.RevocationBudget);
    const [header, ...rows] = parseCsv(r.stdout);
    expect(header).toEqual([...CSV_HEADER]);
    expect(rows.map((row) => row[1]).sort()).toEqual(before.map((p) => p.id).sort());
    const rogue = before.slice(0, 5);
    const rogueRows = rows.filter((row) => row[4] === 'false');
    // A violation's one row, written from its revocation, still names its grantee.
    const { projects } = emulator.truth();
    const grantee = (id: string): string[] => {
      const project = projects.find((candidate) => candidate.id === id)!;
      return [project.name, project.status, String(project.status === 'archived')];
    };
    expect(
      rogueRows.map((row) => [row[0], row[1], row[2], row[3], ...row.slice(7)]).sort(),
    ).toEqual(
      rogue
        .map((p) => [
          checkpoint,
          p.id,
          p.project_id,
          String(p.created_at),
          ...grantee(p.project_id),
          findingId(checkpoint, p.project_id, p.id),
        ])
        .sort(),
    );
    expect(rogueRows.map((row) => row[5]).sort()).toEqual([
      'budget-exhausted',
      'budget-exhausted',
      'budget-exhausted',
      'true',
      'true',
    ]);
    const gone = new Set(rogueRows.filter((row) => row[5] === 'true').map((row) => row[1]));
    expect(truth()[checkpoint]).toEqual(before.filter((p) => !gone.has(p.id)));
  });

  it('needs --revoke --apply, and a positive integer', async () => {
    expectOneErrorLine(
      await run(['audit', 'ft:x', '--max-revocations', '5', ...connect(emulator)]),
      ExitCode.Usage,
      /--max-revocations only makes sense with --revoke --apply/,
    );
    expectOneErrorLine(
      await run(['audit', 'ft:x', '--max-revocations', '0', ...connect(emulator)]),
      ExitCode.Usage,
      /'--max-revocations <n>' argument '0'.*from 1 to 1000000/,
    );
  });
});

describe('a dry run', () => {
  it('writes one CSV row per permission, the violations’ saying dry-run', async () => {
    const checkpoint = biggest();
    const before = truth()[checkpoint]!;
    const allow = file('keep-dry.json', JSON.stringify({ projects: keepAllBut(checkpoint, 3) }));
    const r = await run([
      'audit',
      checkpoint,
      '--allow',
      allow,
      '--revoke',
      '--format',
      'csv',
      '--quiet',
      ...connect(emulator),
    ]);
    expect(r.code).toBe(ExitCode.Violations);
    const rows = parseCsv(r.stdout).slice(1);
    expect(rows).toHaveLength(before.length);
    expect(rows.map((row) => row[1]).sort()).toEqual(before.map((p) => p.id).sort());
    const rogue = rows.filter((row) => row[4] === 'false');
    expect(rogue.map((row) => [row[1], row[3], row[5]]).sort()).toEqual(
      before
        .slice(0, 3)
        .map((p) => [p.id, String(p.created_at), 'dry-run'])
        .sort(),
    );
    expect(emulator.truth().permissions[checkpoint]).toEqual(before);
  });

  it('writes one JSONL revocation line per violation, none twice', async () => {
    const allow = file('keep-few.txt', keepAllBut(biggest(), 0).slice(0, 20).join('\n'));
    const r = await run(['audit', '--all', '--allow', allow, '--revoke', ...connect(emulator)]);
    expect(r.code).toBe(ExitCode.Violations);
    const violations = linesOf(r.stdout).filter((l) => l.includes('"allowed":false'));
    const revoked = revocationLines(r.stdout).map((l) => `${l.checkpoint} ${l.revoke.id}`);
    expect(new Set(revoked).size).toBe(revoked.length);
    expect(revoked).toHaveLength(violations.length);
  });
});

describe('checkpoint ids that cannot be', () => {
  it.each([
    ['an empty argument', ['ft:a', ''], /checkpoint argument 2 is empty/],
    ['a blank argument', ['   '], /checkpoint argument 1 is blank/],
  ])('%s is a usage error, before any request', async (_, ids, pattern) => {
    const r = await run(['audit', ...ids, ...connect(emulator)]);
    expectOneErrorLine(r, ExitCode.Usage, pattern);
    expect(emulator.stats().requests).toBe(0);
  });

  it('a binary --input is refused, naming the line, before any request', async () => {
    const binary = Buffer.from([
      ...Buffer.from('ft:gpt-4o-mini-2024-07-18:acme:ok:abc\n# fine\n'),
      0x7f,
      0x45,
      0x4c,
      0x46,
      0x02,
      0x01,
      0x01,
      0x00,
      0x00,
      0x0a,
      0xff,
      0xfe,
    ]);
    const input = file('a.out', binary);
    const r = await run(['audit', '--input', input, ...connect(emulator)]);
    expectOneErrorLine(r, ExitCode.DataError, /a\.out line 3 holds a control character/);
    expect(emulator.stats().requests).toBe(0);
  });
});

describe('concurrent revocations, resumed', () => {
  it('report each violation once, in one CSV row per permission, after a kill between two revocations', async () => {
    const checkpoint = biggest();
    const before = truth()[checkpoint]!;
    const rogue = before.slice(0, 6);
    const allow = file('keep-resume.json', JSON.stringify({ projects: keepAllBut(checkpoint, 6) }));
    const state = join(dir, 'concurrent.state');
    const output = join(dir, 'concurrent.csv');
    const args = [
      'audit',
      checkpoint,
      '--allow',
      allow,
      '--revoke',
      '--apply',
      '--concurrency',
      '4',
      '--format',
      'csv',
      '--state',
      state,
      '--output',
      output,
      '--quiet',
      ...connect(emulator),
    ];
    expect((await run(args)).code).toBe(ExitCode.Violations);
    // A kill after the second revocation's commit: the journal ends there (the output is cut
    // back to it by --resume); the other four were deleted but never committed.
    const entries = readFileSync(state, 'utf8').trim().split('\n');
    const cut = entries.findIndex(
      (e, i) => entries.slice(0, i + 1).filter((x) => x.includes('"revoked"')).length === 2,
    );
    writeFileSync(state, `${entries.slice(0, cut + 1).join('\n')}\n`);
    const resumed = await run([...args, '--resume']);
    expect(resumed.code).toBe(ExitCode.Violations);
    const rows = parseCsv(readFileSync(output, 'utf8')).slice(1);
    expect(rows.map((row) => row[1]).sort()).toEqual(before.map((p) => p.id).sort());
    expect(
      rows
        .filter((row) => row[4] === 'false')
        .map((row) => [row[1], row[3], row[5]])
        .sort(),
    ).toEqual(rogue.map((p) => [p.id, String(p.created_at), 'true']).sort());
    expect(truth()[checkpoint]).toEqual(before.slice(6));
  });
});

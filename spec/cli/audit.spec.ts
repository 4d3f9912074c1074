import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findingId } from '../../src/audit/finding-id.js';
import { ExitCode } from '../../src/cli/exit-codes.js';
import type { CheckpointPermission, Emulator } from '../../src/emulator/index.js';
import {
  expectOneErrorLine,
  AWKWARD_CHECKPOINT,
  connect,
  countPermissions,
  expectedGroups,
  expectNoSecret,
  groupByCheckpoint,
  linesOf,
  parseCsv,
  permissionLine,
  run,
  SECRET_KEY,
  startSpecEmulator,
  CSV_HEADER,
} from './helpers.js';

let emulator: Emulator;
let dir: string;

beforeAll(async () => {
  emulator = await startSpecEmulator();
  dir = mkdtempSync(join(tmpdir(), 'cli-audit-'));
});
afterAll(async () => {
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

const truth = (): Record<string, CheckpointPermission[]> => emulator.truth().permissions;
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
/** Checkpoints ordered by how many permissions they have, most first. */
const biggest = (): string[] =>
  Object.entries(truth())
    .sort((a, b) => b[1].length - a[1].length)
    .map(([name]) => name);

/** The ids of the truth's archived projects. */
const archivedProjects = (): Set<string> =>
  new Set(
    emulator
      .truth()
      .projects.filter((p) => p.status === 'archived')
      .map((p) => p.id),
  );
/** How many permissions of these checkpoints are granted to archived projects. */
const toArchived = (checkpoints: readonly string[] = Object.keys(truth())): number => {
  const archived = archivedProjects();
  return checkpoints.reduce(
    (n, checkpoint) =>
      n + (truth()[checkpoint] ?? []).filter((p) => archived.has(p.project_id)).length,
    0,
  );
};

/**
 * The closing line on stderr, checked against the truth it summarises (the coverage of --all,
 * checked elsewhere, may follow it).
 */
function expectSummary(
  stderr: string,
  { checkpoints, permissions, violations = 0, failed = 0, archived = 0 }: Record<string, number>,
): void {
  const n = (x: number): string => x.toLocaleString('en-US');
  const toArchivedNote = archived > 0 ? ` · ${n(archived)} to archived projects` : '';
  expect(stderr).toMatch(
    new RegExp(
      `^Audited ${n(checkpoints!)} checkpoints \\(${n(checkpoints! - failed)} ok, ${failed} failed\\)` +
        ` · ${n(permissions!)} permissions · ${violations} violations${toArchivedNote} · \\d+ requests \\(\\d+ retries, \\d+ × 429\\) in \\d+\\.\\d s\\n(Coverage: .*\\n(No key for .*\\n)?)?$`,
    ),
  );
}

describe('audit --format jsonl', () => {
  it('prints exactly one line per permission of the truth, each {"checkpoint","id","project_id","created_at"} in that order', async () => {
    const r = await run([
      'audit',
      '--all',
      '--format',
      'jsonl',
      '--limit',
      '10',
      ...connect(emulator),
    ]);
    expect(r.code).toBe(0);
    const permissions = truth();
    // Raw lines compared with lines built here: the key order and the absence of extra keys count.
    expect(groupByCheckpoint(linesOf(r.stdout))).toEqual(expectedGroups(emulator.truth()));
    expect(linesOf(r.stdout)).toHaveLength(countPermissions(permissions));
    expectSummary(r.stderr, {
      checkpoints: Object.keys(permissions).length,
      permissions: countPermissions(permissions),
      archived: toArchived(),
    });
    expectNoSecret(r);
  });

  it('is the default format', async () => {
    const checkpoint = biggest()[0]!;
    const r = await run(['audit', checkpoint, '--quiet', ...connect(emulator)]);
    const { projects } = emulator.truth();
    const expected = truth()[checkpoint]!.map(
      (p) => `${permissionLine(checkpoint, p, projects)}\n`,
    );
    expect(r).toEqual({ code: 0, stdout: expected.join(''), stderr: '' });
  });

  it('prints a failed checkpoint as {"checkpoint","error":{"status","type","message","request_id"}}, audits the others and exits 2', async () => {
    const [checkpoint] = biggest();
    const r = await run(['audit', 'ft:no-such-checkpoint', checkpoint!, ...connect(emulator)]);
    expect(r.code).toBe(2);
    const lines = linesOf(r.stdout);
    const errors = lines.filter((line) => line.includes('"error"'));
    expect(errors).toHaveLength(1);
    const error = JSON.parse(errors[0]!) as { checkpoint: string; error: Record<string, unknown> };
    expect(Object.keys(error)).toEqual(['checkpoint', 'error']);
    expect(Object.keys(error.error)).toEqual(['status', 'type', 'message', 'request_id']);
    expect(error).toEqual({
      checkpoint: 'ft:no-such-checkpoint',
      error: {
        status: 404,
        type: 'invalid_request_error',
        message: expect.stringContaining("'ft:no-such-checkpoint' does not exist"),
        request_id: expect.stringMatching(/^req_/),
      },
    });
    expect(groupByCheckpoint(lines.filter((line) => line !== errors[0]))).toEqual(
      expectedGroups(emulator.truth(), [checkpoint!]),
    );
    expectSummary(r.stderr, {
      checkpoints: 2,
      failed: 1,
      permissions: truth()[checkpoint!]!.length,
      archived: toArchived([checkpoint!]),
    });
    expectNoSecret(r);
  });
});

describe('audit --format csv', () => {
  const HEADER = [...CSV_HEADER];

  it('prints a header and one RFC 4180 row per permission of the truth', async () => {
    const r = await run([
      'audit',
      '--all',
      '--format',
      'csv',
      '--limit',
      '10',
      ...connect(emulator),
    ]);
    expect(r.code).toBe(0);
    const [header, ...rows] = parseCsv(r.stdout);
    expect(header).toEqual(HEADER);
    const expected: Record<string, string[][]> = {};
    const { projects } = emulator.truth();
    for (const [checkpoint, list] of Object.entries(truth())) {
      if (list.length === 0) continue;
      expected[checkpoint] = list.map((p) => {
        const project = projects.find((candidate) => candidate.id === p.project_id)!;
        return [
          checkpoint,
          p.id,
          p.project_id,
          String(p.created_at),
          '',
          '',
          '',
          project.name,
          project.status,
          String(project.status === 'archived'),
          '',
        ];
      });
    }
    const got: Record<string, string[][]> = {};
    for (const row of rows) (got[row[0]!] ??= []).push(row);
    expect(got).toEqual(expected);
    expectNoSecret(r);
  });

  it('quotes a cell holding a comma or a quote, doubling the quotes, and nothing else', async () => {
    const plain = biggest().find((name) => !/[",]/.test(name))!;
    const r = await run([
      'audit',
      AWKWARD_CHECKPOINT,
      plain,
      '--format',
      'csv',
      ...connect(emulator),
    ]);
    expect(r.code).toBe(0);
    const lines = linesOf(r.stdout);
    const quoted = `"${AWKWARD_CHECKPOINT.replaceAll('"', '""')}",`;
    expect(lines.filter((line) => line.startsWith(quoted))).toHaveLength(12);
    expect(lines.filter((line) => line.startsWith(`${plain},cp_`))).toHaveLength(
      truth()[plain]!.length,
    );
    expect(lines.filter((line) => line.includes('"') && !line.startsWith(quoted))).toEqual([]);
  });

  it('prints a failed checkpoint as a row whose error cell holds status, message and request id', async () => {
    const missing = 'ft:missing,"quoted"';
    const r = await run([
      'audit',
      missing,
      AWKWARD_CHECKPOINT,
      '--format',
      'csv',
      ...connect(emulator),
    ]);
    expect(r.code).toBe(2);
    const [header, ...rows] = parseCsv(r.stdout);
    expect(header).toEqual(HEADER);
    const failed = rows.filter((row) => row[0] === missing);
    expect(failed).toEqual([
      [
        missing,
        '',
        '',
        '',
        '',
        '',
        expect.stringMatching(/^404 .*does not exist.* \| request req_\w+$/),
        '',
        '',
        '',
        '',
      ],
    ]);
    expect(rows.filter((row) => row[0] === AWKWARD_CHECKPOINT)).toHaveLength(12);
  });
});

describe('audit --format table', () => {
  /**
   * Parses the table's rows from the right (checkpoint names hold single spaces), up to the
   * blank line before the grants to archived projects.
   */
  const parseTable = (text: string): { header: string; rows: string[][]; after: string[] } => {
    const [header, ...lines] = linesOf(text);
    const end = lines.indexOf('') === -1 ? lines.length : lines.indexOf('');
    const rows = lines.slice(0, end).map((line) => {
      const m =
        /^(.*?)\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)\s+(ok|failed: .*|\d+ ok, \d+ failed)$/.exec(
          line,
        );
      if (!m) throw new Error(`not a table row: ${line}`);
      return [m[1]!, ...m.slice(2, 6).map((n) => n!.replaceAll(',', '')), m[6]!];
    });
    return { header: header!, rows, after: lines.slice(end) };
  };

  it('prints one row per checkpoint with its permissions and pages, sorted, then a total', async () => {
    const r = await run([
      'audit',
      '--all',
      '--format',
      'table',
      '--limit',
      '10',
      ...connect(emulator),
    ]);
    expect(r.code).toBe(0);
    const { header, rows, after } = parseTable(r.stdout);
    expect(header).toMatch(/^CHECKPOINT\s+PERMISSIONS\s+VIOLATIONS\s+ARCHIVED\s+PAGES\s+STATUS$/);
    const permissions = truth();
    const names = Object.keys(permissions).sort((a, b) => a.localeCompare(b));
    const pages = (n: number): number => Math.max(1, Math.ceil(n / 10));
    expect(rows).toEqual([
      ...names.map((name) => [
        name,
        String(permissions[name]!.length),
        '0',
        String(toArchived([name])),
        String(pages(permissions[name]!.length)),
        'ok',
      ]),
      [
        'TOTAL',
        String(countPermissions(permissions)),
        '0',
        String(toArchived()),
        String(names.reduce((n, name) => n + pages(permissions[name]!.length), 0)),
        `${names.length} ok, 0 failed`,
      ],
    ]);
    // Then each grant to an archived project, by name (checked in full in the e2e spec).
    expect(after.slice(0, 2)).toEqual(['', 'Grants to archived projects:']);
    expect(after).toHaveLength(3 + toArchived());
  });

  it('shows a failed checkpoint in its status column and exits 2', async () => {
    const r = await run(['audit', 'ft:gone', '--format', 'table', ...connect(emulator)]);
    expect(r.code).toBe(2);
    const { rows } = parseTable(r.stdout);
    expect(rows).toEqual(
      [
        ['TOTAL', '0', '0', '0', '0', '0 ok, 1 failed'],
        ['ft:gone', '0', '0', '0', '0', expect.stringMatching(/^failed: 404 .*does not exist/)],
      ].reverse(),
    );
  });
});

describe('audit --allow', () => {
  /** Two projects to forbid, and every other project of the truth. */
  const split = (): { forbidden: string[]; allowed: string[] } => {
    const permissions = truth();
    const [a, b] = biggest();
    const forbidden = [permissions[a!]![0]!.project_id, permissions[b!]![1]!.project_id];
    const every = new Set(Object.values(permissions).flatMap((l) => l.map((p) => p.project_id)));
    return { forbidden, allowed: [...every].filter((p) => !forbidden.includes(p)) };
  };
  /** The JSONL lines expected with an allow-list: `allowed` appended to each. */
  const allowedGroups = (
    isAllowed: (checkpoint: string, project: string) => boolean,
  ): Record<string, string[]> => {
    const groups: Record<string, string[]> = {};
    const { projects } = emulator.truth();
    for (const [checkpoint, list] of Object.entries(truth())) {
      if (list.length === 0) continue;
      groups[checkpoint] = list.map((p) => {
        const project = projects.find((candidate) => candidate.id === p.project_id)!;
        return JSON.stringify({
          checkpoint,
          id: p.id,
          project_id: p.project_id,
          project_name: project.name,
          project_status: project.status,
          archived: project.status === 'archived',
          created_at: p.created_at,
          allowed: isAllowed(checkpoint, p.project_id),
          ...(isAllowed(checkpoint, p.project_id)
            ? {}
            : { finding_id: findingId(checkpoint, p.project_id, p.id) }),
        });
      });
    }
    return groups;
  };
  const violations = (isAllowed: (checkpoint: string, project: string) => boolean): number =>
    Object.entries(truth()).reduce(
      (n, [checkpoint, list]) =>
        n + list.filter((p) => !isAllowed(checkpoint, p.project_id)).length,
      0,
    );

  it('flags exactly the permissions outside a JSON allow-list (global and per checkpoint) and exits 1', async () => {
    const { forbidden, allowed } = split();
    const [first] = biggest();
    const allow = file(
      'allow.json',
      JSON.stringify({ projects: allowed, checkpoints: { [first!]: [forbidden[0]] } }),
    );
    const isAllowed = (checkpoint: string, project: string): boolean =>
      !forbidden.includes(project) || (checkpoint === first && project === forbidden[0]);
    expect(violations(isAllowed)).toBeGreaterThan(0);
    const r = await run(['audit', '--all', '--allow', allow, ...connect(emulator)]);
    expect(r.code).toBe(1);
    expect(groupByCheckpoint(linesOf(r.stdout))).toEqual(allowedGroups(isAllowed));
    expectSummary(r.stderr, {
      checkpoints: Object.keys(truth()).length,
      permissions: countPermissions(truth()),
      violations: violations(isAllowed),
      archived: toArchived(),
    });
  });

  it('takes a bare JSON array of project ids', async () => {
    const { forbidden, allowed } = split();
    const allow = file('allow-array.json', `  ${JSON.stringify(allowed)}\n`);
    const isAllowed = (_: string, project: string): boolean => !forbidden.includes(project);
    const r = await run(['audit', '--all', '--allow', allow, ...connect(emulator)]);
    expect(r.code).toBe(1);
    expect(groupByCheckpoint(linesOf(r.stdout))).toEqual(allowedGroups(isAllowed));
  });

  it('takes plain text, one project id per line, with comments, blank lines and CRLF', async () => {
    const { forbidden, allowed } = split();
    const allow = file('allow.txt', `# approved projects\r\n\r\n${allowed.join('\r\n  ')}\r\n`);
    const isAllowed = (_: string, project: string): boolean => !forbidden.includes(project);
    const r = await run([
      'audit',
      '--all',
      '--allow',
      allow,
      '--format',
      'csv',
      ...connect(emulator),
    ]);
    expect(r.code).toBe(1);
    const rows = parseCsv(r.stdout).slice(1);
    expect(rows).toHaveLength(countPermissions(truth()));
    for (const row of rows) expect(row[4]).toBe(String(isAllowed(row[0]!, row[2]!)));
    expect(rows.filter((row) => row[4] === 'false')).toHaveLength(violations(isAllowed));
  });

  it('exits 0 when every permission is allowed', async () => {
    const { forbidden, allowed } = split();
    const allow = file('allow-all.json', JSON.stringify([...allowed, ...forbidden]));
    const r = await run(['audit', '--all', '--allow', allow, '--quiet', ...connect(emulator)]);
    expect(r.code).toBe(0);
    expect(linesOf(r.stdout).every((line) => line.endsWith(',"allowed":true}'))).toBe(true);
  });

  it('exits 2, not 1, when a checkpoint also failed', async () => {
    const { allowed } = split();
    const allow = file('allow-some.json', JSON.stringify(allowed));
    const r = await run(['audit', '--all', 'ft:gone', '--allow', allow, ...connect(emulator)]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('"allowed":false');
    expect(r.stdout).toContain('{"checkpoint":"ft:gone","error":{"status":404,');
  });
});

describe('audit --revoke', () => {
  let own: Emulator;
  beforeAll(async () => {
    own = await startSpecEmulator({ seed: 2 });
  });
  afterAll(() => own.close());

  /** Forbids the projects of the first permission of the two biggest checkpoints. */
  const forbid = (): { allow: string; forbidden: string[] } => {
    const permissions = own.truth().permissions;
    const [a, b] = Object.entries(permissions).sort((x, y) => y[1].length - x[1].length);
    const forbidden = [a![1][0]!.project_id, b![1][0]!.project_id];
    const every = new Set(Object.values(permissions).flatMap((l) => l.map((p) => p.project_id)));
    const allowed = [...every].filter((p) => !forbidden.includes(p));
    return { allow: file('revoke-allow.json', JSON.stringify({ projects: allowed })), forbidden };
  };
  const outside = (
    permissions: Record<string, CheckpointPermission[]>,
    forbidden: string[],
  ): Array<{ checkpoint: string; id: string; project_id: string }> =>
    Object.entries(permissions).flatMap(([checkpoint, list]) =>
      list
        .filter((p) => forbidden.includes(p.project_id))
        .map((p) => ({ checkpoint, id: p.id, project_id: p.project_id })),
    );
  type Revocation = { revoke: { id: string } };
  const byId = (a: Revocation, b: Revocation): number => a.revoke.id.localeCompare(b.revoke.id);
  /** The revocation lines of a JSONL report, in id order (checkpoints interleave). */
  const revocations = (stdout: string): Revocation[] =>
    linesOf(stdout)
      .map((line) => JSON.parse(line) as Partial<Revocation>)
      .filter((record): record is Revocation => record.revoke !== undefined)
      .sort(byId);

  it('is a dry run by default: reports each violation as a revocation and changes nothing', async () => {
    const { allow, forbidden } = forbid();
    const before = own.truth();
    const expected = outside(before.permissions, forbidden);
    expect(expected.length).toBeGreaterThan(1);
    const r = await run(['audit', '--all', '--allow', allow, '--revoke', ...connect(own)]);
    expect(r.code).toBe(1);
    expect(revocations(r.stdout)).toEqual(
      expected
        .map(({ checkpoint, id, project_id }) => ({
          checkpoint,
          finding_id: findingId(checkpoint, project_id, id),
          revoke: { id, project_id, dry_run: true, deleted: false },
        }))
        .sort(byId),
    );
    expect(own.truth()).toEqual(before);
    expectNoSecret(r);
  });

  it('says dry-run in the revoked column of CSV', async () => {
    const { allow, forbidden } = forbid();
    const expected = outside(own.truth().permissions, forbidden);
    const r = await run([
      'audit',
      '--all',
      '--allow',
      allow,
      '--revoke',
      '--format',
      'csv',
      ...connect(own),
    ]);
    const rows = parseCsv(r.stdout).filter((row) => row[5] !== '' && row[5] !== 'revoked');
    expect(rows.map((row) => [row[0], row[1], row[2], row[4], row[5]])).toEqual(
      expect.arrayContaining(
        expected.map((v) => [v.checkpoint, v.id, v.project_id, 'false', 'dry-run']),
      ),
    );
    expect(rows).toHaveLength(expected.length);
  });

  it('with --apply deletes exactly the violations, and a second audit finds none', async () => {
    const { allow, forbidden } = forbid();
    const before = own.truth().permissions;
    const expected = outside(before, forbidden);
    const r = await run([
      'audit',
      '--all',
      '--allow',
      allow,
      '--revoke',
      '--apply',
      ...connect(own),
    ]);
    expect(r.code).toBe(1);
    expect(revocations(r.stdout)).toEqual(
      expected
        .map(({ checkpoint, id, project_id }) => ({
          checkpoint,
          finding_id: findingId(checkpoint, project_id, id),
          revoke: { id, project_id, dry_run: false, deleted: true },
        }))
        .sort(byId),
    );
    const kept: Record<string, CheckpointPermission[]> = {};
    for (const [checkpoint, list] of Object.entries(before))
      kept[checkpoint] = list.filter((p) => !forbidden.includes(p.project_id));
    expect(own.truth().permissions).toEqual(kept);
    expect(r.stderr).toContain(` · ${expected.length} revoked · `);

    const again = await run(['audit', '--all', '--allow', allow, '--revoke', ...connect(own)]);
    expect(again.code).toBe(0);
    expect(revocations(again.stdout)).toEqual([]);
  });
});

describe('audit inputs', () => {
  it('reads ids from arguments and --input FILE (comments, blanks, CRLF, spaces), each audited once', async () => {
    const [a, b, c] = biggest();
    const input = file('checkpoints.txt', `# to audit\r\n\r\n   ${b}  \r\n${a}\r\n${c}\n${b}\n`);
    const r = await run(['audit', a!, '--input', input, ...connect(emulator)]);
    expect(r.code).toBe(0);
    expect(groupByCheckpoint(linesOf(r.stdout))).toEqual(
      expectedGroups(emulator.truth(), [a!, b!, c!]),
    );
    expect(r.stderr).toMatch(/^Audited 3 checkpoints /);
  });

  it('reads ids from stdin with --input -', async () => {
    const [a] = biggest();
    const r = await run(['audit', '--input', '-', ...connect(emulator)], {
      stdin: `${AWKWARD_CHECKPOINT}\n${a}\n`,
    });
    expect(r.code).toBe(0);
    expect(groupByCheckpoint(linesOf(r.stdout))).toEqual(
      expectedGroups(emulator.truth(), [AWKWARD_CHECKPOINT, a!]),
    );
  });

  it('audits --all plus listed ids, each checkpoint once', async () => {
    const [a] = biggest();
    const r = await run(['audit', a!, '--all', ...connect(emulator)]);
    expect(r.code).toBe(0);
    expect(groupByCheckpoint(linesOf(r.stdout))).toEqual(expectedGroups(emulator.truth()));
  });

  it('takes --rpm and --concurrency for the client', async () => {
    const [a] = biggest();
    const r = await run(['audit', a!, '--rpm', '6000', '--concurrency', '1', ...connect(emulator)]);
    expect(r.code).toBe(0);
    expect(groupByCheckpoint(linesOf(r.stdout))).toEqual(expectedGroups(emulator.truth(), [a!]));
  });

  it('takes the key from OPENAI_ADMIN_KEY and the URL from OPENAI_BASE_URL of its environment', async () => {
    const [a] = biggest();
    const r = await run(['audit', a!], {
      env: { OPENAI_ADMIN_KEY: SECRET_KEY, OPENAI_BASE_URL: emulator.url },
    });
    expect(r.code).toBe(0);
    expect(groupByCheckpoint(linesOf(r.stdout))).toEqual(expectedGroups(emulator.truth(), [a!]));
    expectNoSecret(r);
  });

  it('never takes OPENAI_API_KEY (a project key) for the admin key: exit 78, saying the permission endpoints need one', async () => {
    const [a] = biggest();
    const requestsBefore = emulator.stats().requests;
    const r = await run(['audit', a!, '--base-url', emulator.url], {
      env: { OPENAI_ADMIN_KEY: '  ', OPENAI_API_KEY: SECRET_KEY },
    });
    expectOneErrorLine(
      r,
      ExitCode.Config,
      /No admin key: the permission endpoints need an admin key, .*Set OPENAI_ADMIN_KEY or pass --admin-key-file FILE \(or --admin-key KEY\)\.$/,
    );
    expect(emulator.stats().requests).toBe(requestsBefore);
  });
});

describe('audit progress and --quiet', () => {
  it('draws a progress bar on a terminal stderr: checkpoints done/total and permissions', async () => {
    const r = await run(['audit', '--all', ...connect(emulator)], { stderrTTY: true });
    expect(r.code).toBe(0);
    const n = Object.keys(truth()).length;
    expect(r.stderr).toContain(
      `${n}/${n} checkpoints | ${countPermissions(truth())} permissions | `,
    );
    expect(r.stderr).toMatch(/ req\/s \| \d+ retries \| \d+ × 429 \| ETA /);
    expect(r.stderr).toMatch(/Audited \d+ checkpoints/);
  });

  it('draws none when stderr is not a terminal: the summary and coverage lines only', async () => {
    const r = await run(['audit', '--all', ...connect(emulator)]);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('checkpoints |');
    expect(r.stderr).not.toContain('\u001b');
    expect(linesOf(r.stderr).map((line) => line.split(' ')[0])).toEqual([
      'Audited',
      'Coverage:',
      'No', // key for the projects that own no job
    ]);
  });

  it('prints nothing on stderr with --quiet, even on a terminal', async () => {
    const r = await run(['audit', '--all', '--quiet', ...connect(emulator)], { stderrTTY: true });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(groupByCheckpoint(linesOf(r.stdout))).toEqual(expectedGroups(emulator.truth()));
  });
});

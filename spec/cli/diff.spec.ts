import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findingId } from '../../src/audit/finding-id.js';
import { createClient } from '../../src/client/create-client.js';
import type { CheckpointPermission, Emulator } from '../../src/emulator/index.js';
import { createPermissions$, deletePermission$ } from '../../src/resources/write-permissions.js';
import {
  connect,
  expectNoSecret,
  expectOneErrorLine,
  linesOf,
  run,
  startSpecEmulator,
} from './helpers.js';

let emulator: Emulator;
let dir: string;
beforeAll(async () => {
  emulator = await startSpecEmulator();
  dir = mkdtempSync(join(tmpdir(), 'cli-diff-'));
});
afterAll(async () => {
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
type Truth = Record<string, CheckpointPermission[]>;
/** `checkpoint id` of every grant of a truth, with its project. */
const grantsOf = (truth: Truth): Map<string, string> =>
  new Map(
    Object.entries(truth).flatMap(([c, list]) => list.map((p) => [`${c} ${p.id}`, p.project_id])),
  );
const minus = <T>(a: Map<string, T>, b: Map<string, T>): string[] =>
  [...a.keys()].filter((k) => !b.has(k)).sort();

describe('diff of two real audits', () => {
  let old: string;
  let next: string;
  let expected: Record<string, string[]>;

  beforeAll(async () => {
    const before = emulator.truth().permissions;
    const [a, b] = Object.entries(before)
      .sort((x, y) => y[1].length - x[1].length)
      .map(([name]) => name);
    const banned = [before[a!]![0]!.project_id, before[b!]![1]!.project_id];
    const everyone = new Set([...grantsOf(before).values()]);
    const allow1 = [...everyone].filter((p) => !banned.includes(p));
    const allow2 = [...allow1, banned[1]!]; // the second banned project is approved later
    old = join(dir, 'old.jsonl');
    const audit1 = await run([
      'audit',
      '--all',
      '--allow',
      file('allow1.json', JSON.stringify(allow1)),
      '--output',
      old,
      '--quiet',
      ...connect(emulator),
    ]);
    expect(audit1.code).toBe(1);
    // Between the audits: two grants revoked on a, a grant on b to a newcomer (a project of the
    // organization granted nothing so far, so in neither allow-list).
    const newcomer = emulator
      .truth()
      .projects.find((p) => p.status === 'active' && !everyone.has(p.id))!.id;
    await using client = createClient({ adminAPIKey: emulator.adminKey, baseURL: emulator.url });
    for (const p of before[a!]!.slice(2, 4))
      await lastValueFrom(deletePermission$(a!, p.id, { client }));
    await lastValueFrom(createPermissions$(b!, [newcomer], { client }));
    const after = emulator.truth().permissions;
    next = join(dir, 'new.jsonl');
    const audit2 = await run([
      'audit',
      '--all',
      '--allow',
      file('allow2.json', JSON.stringify(allow2)),
      '--output',
      next,
      '--quiet',
      ...connect(emulator),
    ]);
    expect(audit2.code).toBe(1);

    const [g0, g1] = [grantsOf(before), grantsOf(after)];
    const violating = (g: Map<string, string>, allowed: string[]): Map<string, string> =>
      new Map([...g].filter(([, project]) => !allowed.includes(project)));
    const [v0, v1] = [violating(g0, allow1), violating(g1, allow2)];
    const resolved = minus(v0, v1);
    expected = {
      'grant-added': minus(g1, g0),
      'grant-removed': minus(g0, g1),
      'violation-new': minus(v1, v0),
      'violation-resolved': resolved,
      removed: resolved.filter((k) => !g1.has(k)),
    };
    expect(expected['grant-added']).toHaveLength(1);
    expect(expected['grant-removed']).toHaveLength(2);
    expect(expected['violation-new']).toHaveLength(1);
    expect(expected['violation-resolved']!.length).toBeGreaterThan(0);
  });

  it('--format jsonl: exactly the grants added and removed, violations new and resolved, and exits 1', async () => {
    const r = await run(['diff', old, next, '--format', 'jsonl']);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 1, stderr: '' });
    const lines = linesOf(r.stdout).map((l) => JSON.parse(l) as Record<string, unknown>);
    const summary = lines.pop() as { summary: { changes: Record<string, number> } };
    const keys = (kind: string): string[] =>
      lines
        .filter((l) => l.change === kind)
        .map((l) => `${l.checkpoint as string} ${l.id as string}`)
        .sort();
    for (const kind of ['grant-added', 'grant-removed', 'violation-new', 'violation-resolved'])
      expect(keys(kind), kind).toEqual(expected[kind]);
    expect(
      lines
        .filter((l) => l.change === 'violation-resolved' && l.reason === 'removed')
        .map((l) => `${l.checkpoint as string} ${l.id as string}`)
        .sort(),
    ).toEqual(expected.removed);
    for (const l of lines)
      expect(l.finding_id).toBe(
        findingId(l.checkpoint as string, l.project_id as string, l.id as string),
      );
    expect(summary.summary.changes).toMatchObject({
      'grant-added': 1,
      'grant-removed': 2,
      'violation-new': 1,
      'checkpoint-appeared': 0,
    });
  });

  it('reads NEW from stdin (-) as from a file', async () => {
    const fromFile = await run(['diff', old, next, '--format', 'jsonl']);
    const fromStdin = await run(['diff', old, '-', '--format', 'jsonl'], {
      stdin: readFileSync(next, 'utf8'),
    });
    expect(fromStdin).toEqual(fromFile);
  });

  it('an audit against itself: no changes, exit 0', async () => {
    const table = await run(['diff', old, old]);
    expect(table).toEqual({ code: 0, stdout: `${old} → ${old}: no changes\n`, stderr: '' });
    const jsonl = await run(['diff', old, old, '--format', 'jsonl']);
    expect(jsonl.code).toBe(0);
    expect(linesOf(jsonl.stdout)).toHaveLength(1);
  });

  it('--format table and markdown: violations first, one row per change', async () => {
    const table = await run(['diff', old, next]);
    expect(table.code).toBe(1);
    const titles = linesOf(table.stdout).filter((l) => /^[A-Z][a-z].* \(\d+\)$/.test(l));
    expect(titles).toEqual([
      'New violations (1)',
      `Resolved violations (${expected['violation-resolved']!.length})`,
      'Grants added (1)',
      'Grants removed (2)',
    ]);
    const markdown = await run(['diff', old, next, '--format', 'markdown']);
    expect(markdown.code).toBe(1);
    expect(markdown.stdout).toContain('### New violations (1)\n\n| Checkpoint | Project |');
    const rows = linesOf(markdown.stdout).filter(
      (l) => l.startsWith('| ') && !l.startsWith('| ---'),
    );
    // headers (4 sections) + 1 + resolved + 1 + 2 rows
    expect(rows).toHaveLength(4 + 1 + expected['violation-resolved']!.length + 1 + 2);
    expectNoSecret(markdown);
  });
});

describe('diff of hostile names', () => {
  const hostile =
    'ft:x\u001b[2J\u001b]0;pwned\u0007|`code`<img src=x onerror=alert(1)>\nfake line\u202e';
  const grant = (checkpoint: string, id: string, allowed: boolean): string =>
    `${JSON.stringify({ checkpoint, id, project_id: 'proj_|x|', created_at: 1, allowed })}\n`;

  it('table output shows control characters as escapes; markdown keeps every row in its cells', async () => {
    const old = file('hostile-old.jsonl', grant('ft:plain', 'cp_1', true));
    const next = file('hostile-new.jsonl', grant(hostile, 'cp_2', false));
    const table = await run(['diff', old, next]);
    expect(table.code).toBe(1);
    // eslint-disable-next-line no-control-regex -- no raw control character may be printed
    expect(table.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f\u202e]/);
    expect(table.stdout).toContain('ft:x\\x1b[2J\\x1b]0;pwned\\x07|`code`<img');
    expect(table.stdout).not.toMatch(/^fake line/m);

    const markdown = await run(['diff', old, next, '--format', 'markdown']);
    // No raw control character, no HTML, no unescaped backtick (a code span) anywhere.
    // eslint-disable-next-line no-control-regex -- no raw control character may be printed
    expect(markdown.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f\u202e<]|(?<!\\)`/);
    // Every row of a section has as many cells as its header: no `|` from the data splits one.
    const cells = (line: string): number => line.split(/(?<!\\)\|/).length;
    for (const section of markdown.stdout.split('\n### ').slice(1)) {
      const rows = section.split('\n').filter((l) => l.startsWith('|'));
      expect(rows.length).toBeGreaterThan(2);
      for (const row of rows) expect(cells(row), row).toBe(cells(rows[0]!));
    }
    expect(markdown.stdout).toContain(
      // A doubled backslash, which Markdown renders as one: the escapes stay visible.
      '\\|\\`code\\`&lt;img src=x onerror=alert(1)&gt;\\\\nfake line\\\\u202e',
    );
  });
});

describe('diff --format table and markdown of many changes', () => {
  it('keep 1,000 rows per kind and say how many more there are', async () => {
    const lines = Array.from(
      { length: 1001 },
      (_, i) =>
        `${JSON.stringify({ checkpoint: 'ft:a', id: `cp_${i}`, project_id: 'proj_1', created_at: 1e20 })}\n`,
    );
    const old = file('many-old.jsonl', '');
    const next = file('many-new.jsonl', lines.join(''));
    for (const format of ['table', 'markdown']) {
      const r = await run(['diff', old, next, '--format', format]);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('Grants added (1001)');
      expect(r.stdout).toContain('… and 1 more: run with --format jsonl for every change.');
      expect(r.stdout.match(/cp\\?_\d+/g)).toHaveLength(1000);
      expect(r.stdout).toContain(' 100000000000000000000 '); // a created_at no date can hold
    }
  });
});

describe('diff --format html', () => {
  it('one page with no script, every value escaped, leading with the headline', async () => {
    const line = (checkpoint: string, id: string, allowed: boolean): string =>
      `${JSON.stringify({ checkpoint, id, project_id: 'proj_"q"', created_at: 1, allowed })}\n`;
    const hostile = 'ft:<img src=x onerror=alert(1)>:</td></table><script>alert(2)</script>';
    const old = file('html-old.jsonl', line('ft:plain', 'cp_1', true));
    const next = file('html-new.jsonl', line(hostile, 'cp_2', false));
    const r = await run(['diff', old, next, '--format', 'html']);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 1, stderr: '' });
    expect(r.stdout).toMatch(/^<!doctype html>/);
    expect(r.stdout).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline';`,
    );
    expect(r.stdout).not.toMatch(/<script|<img|<[^>]*\ssrc=|https?:/i);
    expect(r.stdout).toContain(
      '<td>ft:&lt;img src=x onerror=alert(1)&gt;:&lt;/td&gt;&lt;/table&gt;&lt;script&gt;alert(2)&lt;/script&gt;</td><td>proj_&quot;q&quot;</td>',
    );
    expect(r.stdout).toMatch(
      /<div id="verdict" class="fail" role="status">1 new violation, 1 checkpoint appeared, 1 checkpoint disappeared, 1 grant added, 1 grant removed<\/div>/,
    );
  });
});

describe('diff errors: one line, a sysexits code', () => {
  it('a missing file is 66, naming it', async () => {
    const old = file('ok.jsonl', '');
    const missing = join(dir, 'nope.jsonl');
    expectOneErrorLine(
      await run(['diff', missing, old]),
      66,
      /Cannot read .*nope\.jsonl: no such file\. Check the OLD path/,
    );
    expectOneErrorLine(
      await run(['diff', old, missing]),
      66,
      /nope\.jsonl: no such file\. Check the NEW path/,
    );
  });

  it('a file that is not an audit output is 65, naming the file and line', async () => {
    const old = file('ok2.jsonl', '');
    const csv = file('audit.csv', 'checkpoint,id,project_id\nft:x,cp_1,proj_1\n');
    expectOneErrorLine(await run(['diff', old, csv]), 65, /audit\.csv, line 1: is not JSON/);
    const other = file('other.jsonl', `${grant()}{"name":"package","version":"1.0.0"}\n`);
    expectOneErrorLine(
      await run(['diff', other, old]),
      65,
      /other\.jsonl, line 2: is not a line of `audit --format jsonl` output/,
    );
  });

  it('an output cut short mid-line is 65, naming the line', async () => {
    const old = file('ok3.jsonl', '');
    const cut = file('cut.jsonl', `${grant()}${grant().slice(0, 30)}`);
    expectOneErrorLine(
      await run(['diff', old, cut]),
      65,
      /cut\.jsonl, line 2: ends mid-line: the output was cut short/,
    );
  });

  it('a directory, or a read that fails, is 66', async () => {
    const old = file('ok5.jsonl', '');
    expectOneErrorLine(await run(['diff', old, dir]), 66, /Cannot read .*: EISDIR/);
    expectOneErrorLine(
      await run(['diff', old, '-'], { stdin: new Error('read EIO') }),
      66,
      /Cannot read stdin: read EIO\./,
    );
  });

  it('OLD from stdin is a usage error (64): it is read twice', async () => {
    const next = file('ok4.jsonl', '');
    expectOneErrorLine(await run(['diff', '-', next]), 64, /OLD cannot be -/);
  });

  function grant(): string {
    return `${JSON.stringify({ checkpoint: 'ft:a', id: 'cp_1', project_id: 'proj_1', created_at: 1 })}\n`;
  }
});

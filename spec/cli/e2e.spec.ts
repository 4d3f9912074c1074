import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { seedOrganization, startEmulator, type Emulator } from '../../src/emulator/index.js';
import {
  connect,
  everyOwnerKeyed,
  countPermissions,
  expectedGroups,
  expectNoSecret,
  groupByCheckpoint,
  linesOf,
  parseCsv,
  permissionLine,
  projectKeysFlag,
  SECRET_KEY,
  startSpecEmulator,
  watchForKeys,
  WRONG_KEY,
  CSV_HEADER,
} from './helpers.js';
import { waitFor } from '../support/wait-for.js';

// End-to-end: the built binary in a child process, against emulators in this process. Run
// `npm run build` first (the test script does).
const BIN = fileURLToPath(new URL('../../dist/cli/bin.js', import.meta.url));

let emulator: Emulator;
/** A bigger organization (about 6,000 permissions, 1 MB of JSONL): more than any pipe holds. */
let large: Emulator;
let dir: string;

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` first`);
  emulator = await startSpecEmulator();
  large = await startEmulator({
    adminKey: SECRET_KEY,
    seed: 21,
    dataset: everyOwnerKeyed(seedOrganization({ seed: 21, jobs: 40, checkpointsPerJob: 5 })),
  });
  dir = mkdtempSync(join(tmpdir(), 'cli-e2e-'));
});
afterAll(async () => {
  await emulator.close();
  await large.close();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  emulator.setLatency(0);
  emulator.resetStats();
  large.resetStats();
});

/** How a child ended and what it printed. */
interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A started child: the process and its end. `stdout` is only collected when `collect` is set. */
interface Child {
  readonly child: ChildProcess;
  readonly exit: Promise<Exit>;
}

/**
 * Spawns `node dist/cli/bin.js …` with only PATH and `env` in its environment, so that no
 * OPENAI_* variable of the machine running the tests leaks in.
 */
function spawnCli(
  argv: readonly string[],
  {
    env = {},
    stdout = 'collect',
  }: { env?: Record<string, string>; stdout?: 'collect' | 'manual' | ChildProcess['stdin'] } = {},
): Child {
  const child = spawn(process.execPath, [BIN, ...argv], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', stdout === 'collect' || stdout === 'manual' ? 'pipe' : stdout!, 'pipe'],
  });
  let out = '';
  let err = '';
  if (stdout === 'collect') child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exit = new Promise<Exit>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const result = { code, signal, stdout: out, stderr: err };
      expectNoSecret(result); // whatever the run, no key is ever printed
      resolve(result);
    });
  });
  return { child, exit };
}

const cli = (argv: readonly string[], env?: Record<string, string>): Promise<Exit> =>
  spawnCli(argv, { env }).exit;
const totalOf = (e: Emulator): number => countPermissions(e.truth().permissions);

/**
 * stderr of a run that did not fail: the summary line (then, with --all, the coverage: its
 * reach, and the projects without a key, which own no job here), and never a progress bar.
 */
function expectSummaryOnly(stderr: string): void {
  const lines = linesOf(stderr);
  expect(lines[0]).toMatch(/^Audited \d+ checkpoints /);
  expect(lines.slice(1).map((line) => line.split(/[: ]/)[0])).toEqual(
    lines.length === 1 ? [] : ['Coverage', 'No'],
  );
  expect(stderr).not.toContain('checkpoints |');
  expect(stderr).not.toContain('\u001b');
}

describe('the built binary: formats', () => {
  it('jsonl: exactly the truth, one line per permission', async () => {
    const r = await cli(['audit', '--all', '--format', 'jsonl', ...connect(emulator)]);
    expect(r.code).toBe(0);
    expect(groupByCheckpoint(linesOf(r.stdout))).toEqual(expectedGroups(emulator.truth()));
    expect(linesOf(r.stdout)).toHaveLength(totalOf(emulator));
    expectSummaryOnly(r.stderr);
    expectNoSecret(r);
  });

  it('csv: a header and one row per permission', async () => {
    const r = await cli(['audit', '--all', '--format', 'csv', ...projectKeysFlag(emulator)], {
      OPENAI_ADMIN_KEY: SECRET_KEY,
      OPENAI_BASE_URL: emulator.url,
    });
    expect(r.code).toBe(0);
    const [header, ...rows] = parseCsv(r.stdout);
    expect(header).toEqual([...CSV_HEADER]);
    const { permissions, projects } = emulator.truth();
    const expected = Object.entries(permissions).flatMap(([checkpoint, list]) =>
      list.map((p) => {
        const project = projects.find((candidate) => candidate.id === p.project_id)!;
        return [
          checkpoint,
          p.id,
          p.project_id,
          String(p.created_at),
          '',
          '',
          '',
          project.name!,
          project.status!,
          String(project.status === 'archived'),
          '',
        ];
      }),
    );
    const order = (a: string[], b: string[]): number =>
      `${a[0]} ${a[1]}`.localeCompare(`${b[0]} ${b[1]}`);
    expect(rows.sort(order)).toEqual(expected.sort(order));
    expectSummaryOnly(r.stderr);
    expectNoSecret(r);
  });

  it('table: a row per checkpoint (grants to archived projects counted) and the total, then the archived grants', async () => {
    const r = await cli(['audit', '--all', '--format', 'table', ...connect(emulator)]);
    expect(r.code).toBe(0);
    const { permissions, projects } = emulator.truth();
    const archivedIds = new Set(projects.filter((p) => p.status === 'archived').map((p) => p.id));
    const archived = Object.entries(permissions).flatMap(([checkpoint, list]) =>
      list.filter((p) => archivedIds.has(p.project_id)).map((p) => ({ checkpoint, ...p })),
    );
    expect(archived.length).toBeGreaterThan(0);
    const checkpoints = Object.keys(permissions).length;
    const lines = linesOf(r.stdout);
    expect(lines).toHaveLength(checkpoints + 2 + 3 + archived.length);
    expect(lines[0]).toMatch(/^CHECKPOINT\s+PERMISSIONS\s+VIOLATIONS\s+ARCHIVED\s+PAGES\s+STATUS$/);
    for (const [checkpoint, list] of Object.entries(permissions)) {
      const row = lines.find((line) => line.startsWith(`${checkpoint} `));
      const toArchived = list.filter((p) => archivedIds.has(p.project_id)).length;
      expect(row, checkpoint).toMatch(
        new RegExp(` ${list.length}\\s+0\\s+${toArchived}\\s+\\d+\\s+ok$`),
      );
    }
    expect(lines[checkpoints + 1]).toMatch(
      new RegExp(
        `^TOTAL\\s+${totalOf(emulator).toLocaleString('en-US')}\\s+0\\s+${archived.length}\\s+\\d+\\s+${checkpoints} ok, 0 failed$`,
      ),
    );
    expect(lines.slice(checkpoints + 2, checkpoints + 5)).toEqual([
      '',
      'Grants to archived projects:',
      expect.stringMatching(/^CHECKPOINT\s+PROJECT\s+NAME\s+PERMISSION$/),
    ]);
    const listed = lines.slice(checkpoints + 5).map((line) => line.split(/\s{2,}/));
    expect(listed.map(([, project, name, id]) => `${project} ${name} ${id}`).sort()).toEqual(
      archived
        .map((p) => `${p.project_id} ${projects.find((q) => q.id === p.project_id)!.name} ${p.id}`)
        .sort(),
    );
    expectSummaryOnly(r.stderr);
  });

  it('--version and --help exit 0', async () => {
    const version = await cli(['--version']);
    expect(version).toMatchObject({ code: 0, stderr: '' });
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    const help = await cli(['audit', '--help']);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toContain('--resume');
  });
});

describe('the built binary: exit codes', () => {
  /** A failed run: one line on stderr, no stack trace, nothing on stdout. */
  const expectFailure = (r: Exit, code: number, pattern: RegExp): void => {
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code, stdout: '' });
    expect(linesOf(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expectNoSecret(r);
  };

  it('1 for violations, 2 for a failed checkpoint (which wins)', async () => {
    const [checkpoint, list] = Object.entries(emulator.truth().permissions).find(
      ([, l]) => l.length > 3,
    )!;
    const allow = join(dir, 'allow.txt');
    writeFileSync(allow, `${list[0]!.project_id}\n`);
    const violations = await cli([
      'audit',
      checkpoint,
      '--allow',
      allow,
      '--quiet',
      ...connect(emulator),
    ]);
    expect(violations).toMatchObject({ code: 1, stderr: '' });
    expect(
      linesOf(violations.stdout).filter((l) => l.includes('"allowed":false,"finding_id":"f_')),
    ).toHaveLength(list.length - 1);
    const failed = await cli([
      'audit',
      checkpoint,
      'ft:nope',
      '--allow',
      allow,
      ...connect(emulator),
    ]);
    expect(failed.code).toBe(2);
    expect(failed.stdout).toMatch(
      /^\{"checkpoint":"ft:nope","error":\{"status":404,"type":"invalid_request_error","message":".*","request_id":"req_\w+"\}\}$/m,
    );
  });

  it('64 for an unknown option', async () => {
    expectFailure(
      await cli(['audit', '--bogus']),
      64,
      /^checkpoint-permissions: unknown option '--bogus'/,
    );
  });

  it('66 for an --input that does not exist, 65 for a malformed --allow', async () => {
    expectFailure(
      await cli(['audit', '--input', join(dir, 'missing.txt'), ...connect(emulator)]),
      66,
      /Cannot read .*missing\.txt: no such file\. Check the path given to --input\./,
    );
    const allow = join(dir, 'bad.json');
    writeFileSync(allow, '{"projects": ["proj_a",');
    expectFailure(
      await cli(['audit', 'ft:x', '--allow', allow, ...connect(emulator)]),
      65,
      /is not valid JSON/,
    );
  });

  it('78 without a key, and for a rejected key', async () => {
    expectFailure(await cli(['audit', 'ft:x', '--base-url', emulator.url]), 78, /No admin key/);
    expectFailure(
      await cli(['audit', 'ft:x', ...connect(emulator, WRONG_KEY)]),
      78,
      /The API rejected the key \(401\)/,
    );
  });
});

describe('the built binary: resume after kill -9', () => {
  /**
   * Each round starts an audit that journals its progress, SIGKILLs it once the journal holds
   * `killAfter` entries (latency makes the run last long enough to hit it mid-way), then runs
   * the same command with --resume. The report must then be the truth exactly: every permission
   * once, in order per checkpoint, nothing duplicated, nothing missing.
   */
  it.each([[2], [15], [40]])(
    'yields exactly the truth when killed after %i journal entries',
    async (killAfter) => {
      const state = join(dir, `kill-${killAfter}.state`);
      const output = join(dir, `kill-${killAfter}.jsonl`);
      const argv = [
        'audit',
        '--all',
        '--format',
        'jsonl',
        '--limit',
        '5',
        '--concurrency',
        '2',
        '--state',
        state,
        '--output',
        output,
        ...connect(emulator),
      ];
      const journalLength = (): number =>
        existsSync(state) ? readFileSync(state, 'utf8').split('\n').length - 1 : 0;

      emulator.setLatency(10);
      const first = spawnCli(argv);
      await waitFor(
        () => journalLength() >= killAfter || first.child.exitCode !== null,
        'journal entries',
      );
      expect(first.child.exitCode).toBeNull(); // still running: the kill lands mid-audit
      first.child.kill('SIGKILL');
      expect((await first.exit).signal).toBe('SIGKILL');
      const partial = linesOf(readFileSync(output, 'utf8').replace(/[^\n]*$/, ''));
      expect(partial.length).toBeLessThan(totalOf(emulator));

      emulator.setLatency(0);
      const resumed = await cli([...argv, '--resume']);
      expect(resumed.code).toBe(0);
      expect(resumed.stderr).toMatch(/^Audited \d+ checkpoints /);
      const lines = linesOf(readFileSync(output, 'utf8'));
      expect(groupByCheckpoint(lines)).toEqual(expectedGroups(emulator.truth()));
      expect(lines).toHaveLength(totalOf(emulator));
    },
  );
});

describe('the built binary: pipes', () => {
  it('| head -n 5 ends it quietly: exit 0, nothing on stderr, no EPIPE trace', async () => {
    const head = spawn('head', ['-n', '5'], { stdio: ['pipe', 'pipe', 'inherit'] });
    let headOut = '';
    head.stdout.on('data', (chunk: Buffer) => (headOut += chunk.toString()));
    const headDone = new Promise<number | null>((resolve) => head.on('close', resolve));
    const audit = spawnCli(['audit', '--all', '--limit', '10', ...connect(large)], {
      stdout: head.stdin,
    });
    head.stdin.destroy(); // the child holds its own copy of the write end
    const r = await audit.exit;
    expect(await headDone).toBe(0);
    expect(r).toEqual({ code: 0, signal: null, stdout: '', stderr: '' });
    const lines = linesOf(headOut);
    expect(lines).toHaveLength(5);
    const { permissions, projects } = large.truth();
    const all = new Set(
      Object.entries(permissions).flatMap(([checkpoint, list]) =>
        list.map((p) => permissionLine(checkpoint, p, projects)),
      ),
    );
    for (const line of lines) expect(all.has(line), line).toBe(true);
    // It stopped when the reader left instead of auditing the rest into a closed pipe.
    expect(large.stats().permissionItemsServed).toBeLessThan(totalOf(large) / 2);
  });

  it('a reader that stops reading holds the audit back, and loses nothing once it reads again', async () => {
    const limit = 10;
    const concurrency = 4;
    const audit = spawnCli(
      [
        'audit',
        '--all',
        '--limit',
        String(limit),
        '--concurrency',
        String(concurrency),
        '--quiet',
        ...connect(large),
      ],
      { stdout: 'manual' },
    );
    const stdout = audit.child.stdout!;
    stdout.pause();

    // How far the audit may run ahead of a reader that reads nothing, in permissions:
    // - what the buffers between them hold, in bytes, over the shortest line: the OS pipe
    //   (64 KiB on Linux), the child's stdout buffer (its high-water mark: 16 KiB on Node 20,
    //   64 KiB from Node 22, so 64; plus the one page written past it: `limit` lines), and this
    //   side's socket buffer (its high-water mark plus one read of up to 64 KiB);
    // - plus 2 × concurrency pages: each checkpoint in flight holds at most one page fetched and
    //   waiting for the write, and one more requested.
    const { permissions, projects } = large.truth();
    const lines = Object.entries(permissions).flatMap(([checkpoint, list]) =>
      list.map((p) => Buffer.byteLength(permissionLine(checkpoint, p, projects)) + 1),
    );
    const shortest = Math.min(...lines);
    const longest = Math.max(...lines);
    const KiB = 1024;
    const buffered =
      64 * KiB + 64 * KiB + limit * longest + stdout.readableHighWaterMark + 64 * KiB;
    const bound = Math.ceil(buffered / shortest) + 2 * concurrency * limit;
    expect(totalOf(large)).toBeGreaterThan(2 * bound); // else running ahead would go unseen

    // Wait for the audit to stall: well under way (a quarter of a pipe's worth served: a
    // backpressured audit stops only once the pipe is full), nothing in flight, and the counter
    // still for 40 polls. An audit that ignored backpressure would run to its end instead.
    const started = Math.ceil((16 * KiB) / longest);
    let last = -1;
    let still = 0;
    await waitFor(() => {
      const { permissionItemsServed, inFlight } = large.stats();
      const stalled = permissionItemsServed >= started && inFlight === 0;
      still = stalled && permissionItemsServed === last ? still + 1 : 0;
      last = permissionItemsServed;
      return still >= 40 || audit.child.exitCode !== null;
    }, 'the audit to stall');
    expect(audit.child.exitCode).toBeNull();
    expect(last).toBeLessThanOrEqual(bound);

    let out = '';
    stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    stdout.resume();
    const r = await audit.exit;
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(groupByCheckpoint(linesOf(out))).toEqual(expectedGroups(large.truth()));
  });
});

describe('the built binary: emulator', () => {
  it('prints its banner, serves requests, and exits 0 on SIGINT', async () => {
    const server = spawnCli(['emulator', '--port', '0'], { stdout: 'manual' });
    let banner = '';
    server.child.stdout!.on('data', (chunk: Buffer) => (banner += chunk.toString()));
    await waitFor(
      () => banner.includes('Press Ctrl-C to stop.\n') || server.child.exitCode !== null,
      'the banner',
    );
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+\/v1)\n/.exec(banner)![1]!;
    const stats = /Stats:\s+(\S+)\n/.exec(banner)![1]!;
    const keysFile = /^Project keys file: (\S+) /m.exec(banner)![1]!;
    const [projectKey] = Object.values(
      JSON.parse(readFileSync(keysFile, 'utf8')) as Record<string, string>,
    );
    watchForKeys({ projectKey: projectKey! });
    const jobs = await fetch(`${url}/fine_tuning/jobs`, {
      headers: { authorization: `Bearer ${projectKey}` },
    });
    expect(jobs.status).toBe(200);
    expect(((await jobs.json()) as { object: string }).object).toBe('list');
    expect(((await (await fetch(stats)).json()) as { requests: number }).requests).toBe(1);

    server.child.kill('SIGINT');
    const r = await server.exit;
    expect(r).toMatchObject({ code: 0, signal: null, stderr: 'Emulator stopped (SIGINT).\n' });
    // It removed its project keys file on the way out.
    expect(existsSync(keysFile)).toBe(false);
  });
});

import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ExitCode } from '../../src/cli/exit-codes.js';
import type { Emulator } from '../../src/emulator/index.js';
import { connect, expectOneErrorLine, run, startSpecEmulator } from './helpers.js';

/**
 * The file system boundary, with a fault we can inject: `writeSync` on a file that `fault.path`
 * matches (its path, or a test of its path) fails with `fault.code` once `fault.after` writes to it have succeeded, as a disk filling up
 * mid-run does. Every rename is recorded with the mode its source had, so that the temp file of
 * an atomic write is seen as it was before it took its final name. Nothing else changes.
 */
const fault = vi.hoisted(() => ({
  path: undefined as string | ((path: string) => boolean) | undefined,
  after: 0,
  code: 'ENOSPC',
  renames: [] as Array<{ from: string; to: string; mode: number }>,
}));
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof fs>();
  const paths = new Map<number, string>();
  const messages: Record<string, string> = {
    ENOSPC: 'no space left on device',
    EIO: 'i/o error',
    EACCES: 'permission denied',
  };
  return {
    ...real,
    openSync: (...args: Parameters<typeof real.openSync>) => {
      const fd = real.openSync(...args);
      paths.set(fd, String(args[0]));
      return fd;
    },
    closeSync: (fd: number) => {
      paths.delete(fd);
      real.closeSync(fd);
    },
    writeSync: (fd: number, ...rest: unknown[]) => {
      const path = paths.get(fd) ?? '';
      const hit = typeof fault.path === 'function' ? fault.path(path) : path === fault.path;
      if (hit && fault.after-- <= 0) {
        throw Object.assign(new Error(`${fault.code}: ${messages[fault.code]}, write`), {
          code: fault.code,
          syscall: 'write',
        });
      }
      return (real.writeSync as (fd: number, ...rest: unknown[]) => number)(fd, ...rest);
    },
    renameSync: (from: fs.PathLike, to: fs.PathLike) => {
      fault.renames.push({
        from: String(from),
        to: String(to),
        mode: real.statSync(from).mode & 0o777,
      });
      real.renameSync(from, to);
    },
  };
});

let emulator: Emulator;
let dir: string;
let checkpoints: string[];

beforeAll(async () => {
  emulator = await startSpecEmulator();
  // A real path: the journal is opened by its real path, and the fault matches on it.
  dir = fs.realpathSync(fs.mkdtempSync(join(tmpdir(), 'cli-state-guards-')));
  checkpoints = Object.keys(emulator.truth().permissions).sort();
});
afterAll(async () => {
  await emulator.close();
  fs.rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  fault.path = undefined;
  fault.renames = [];
});

let files = 0;
/** A path of its own in the spec's directory, with `text` in it when given. */
const file = (name: string, text?: string): string => {
  const path = join(dir, `${++files}-${name}`);
  if (text !== undefined) fs.writeFileSync(path, text);
  return path;
};
const audit = (...more: string[]): string[] => [
  'audit',
  '--limit',
  '10',
  '--quiet',
  ...more,
  ...connect(emulator),
];
/** What a file holds, byte for byte, to prove that a refused run left it alone. */
const contents = (path: string): string => fs.readFileSync(path, 'latin1');

describe('--state never destroys another file of the run', () => {
  const allowText = '{"projects": ["proj_keep"]}\n';

  it.each([
    ['the same path', (p: string) => p],
    ['a relative spelling of it', (p: string) => `./${relative(process.cwd(), p)}`],
    [
      'a symlink to it',
      (p: string) => {
        const link = file('link');
        fs.symlinkSync(p, link);
        return link;
      },
    ],
  ])(
    'refuses --state and --output naming %s (64), leaving the file as it was',
    async (_, alias) => {
      const output = file('report.jsonl', 'a report of an earlier run\n');
      const r = await run(audit(checkpoints[0]!, '--state', alias(output), '--output', output));
      expectOneErrorLine(r, ExitCode.Usage, /--state and --output .*same file/);
      expect(contents(output)).toBe('a report of an earlier run\n');
    },
  );

  it('refuses --state equal to --allow (64), leaving the allow-list as it was', async () => {
    const allow = file('allow.json', allowText);
    const r = await run(audit(checkpoints[0]!, '--allow', allow, '--state', allow));
    expectOneErrorLine(r, ExitCode.Usage, /--state and --allow .*same file/);
    expect(contents(allow)).toBe(allowText);
  });

  it('refuses --state equal to --input (64), even with --resume', async () => {
    const input = file('ids.txt', `${checkpoints[0]}\n`);
    const r = await run(audit('--input', input, '--state', input, '--resume'));
    expectOneErrorLine(r, ExitCode.Usage, /--state and --input .*same file/);
    expect(contents(input)).toBe(`${checkpoints[0]}\n`);
  });

  it('refuses --output equal to --allow (64): the report would overwrite the allow-list', async () => {
    const allow = file('allow.json', allowText);
    const r = await run(audit(checkpoints[0]!, '--allow', allow, '--output', allow));
    expectOneErrorLine(r, ExitCode.Usage, /--output and --allow .*same file/);
    expect(contents(allow)).toBe(allowText);
  });

  it.each([
    ['a text file', 'notes that matter\nand more\n'],
    ['a one-line file without a final newline', '["proj_keep"]'],
    ['a JSON-lines file of another program', '{"id": 1}\n{"id": 2}\n'],
  ])('without --resume, refuses to overwrite %s that is not a journal (64)', async (_, text) => {
    const state = file('notes', text);
    const r = await run(audit(checkpoints[0]!, '--state', state));
    expectOneErrorLine(r, ExitCode.Usage, /is not a state file of checkpoint-permissions.*--state/);
    expect(contents(state)).toBe(text);
  });

  it('with --resume, never truncates a one-line file that is not a journal (65)', async () => {
    const state = file('notes', 'proj_keep');
    const r = await run(audit(checkpoints[0]!, '--state', state, '--resume'));
    expectOneErrorLine(r, ExitCode.DataError, /is not a state file of checkpoint-permissions/);
    expect(contents(state)).toBe('proj_keep');
  });

  it('refuses a --state that is not a regular file (64), instead of failing mid-run', async () => {
    const r = await run(audit(checkpoints[0]!, '--state', '/dev/full'));
    expectOneErrorLine(r, ExitCode.Usage, /--state \/dev\/full is not a regular file/);
  });
});

describe('--resume continues only the same run', () => {
  /** A finished run's files, and the flags that made it. */
  async function firstRun(...flags: string[]): Promise<{
    state: string;
    output: string;
    argv: string[];
  }> {
    const state = file('run.state');
    const output = file('run.out');
    const argv = [...flags, '--state', state, '--output', output];
    expect((await run(audit(...argv))).code).toBeLessThan(2);
    return { state, output, argv };
  }
  const replace = (argv: string[], from: string, to: string): string[] =>
    argv.map((a) => (a === from ? to : a));

  it('refuses another --format (64), naming both, and leaves the report and state alone', async () => {
    const { state, output, argv } = await firstRun(checkpoints[0]!, '--format', 'jsonl');
    const before = [contents(state), contents(output)];
    const r = await run(audit(...replace(argv, 'jsonl', 'csv'), '--resume'));
    expectOneErrorLine(r, ExitCode.Usage, /this run's --format is csv, the saved run's is jsonl/);
    expect([contents(state), contents(output)]).toEqual(before);
  });

  it('refuses another list of checkpoints (64)', async () => {
    const { argv } = await firstRun(checkpoints[0]!, checkpoints[1]!);
    const r = await run(audit(...replace(argv, checkpoints[1]!, checkpoints[2]!), '--resume'));
    expectOneErrorLine(r, ExitCode.Usage, /this run's checkpoints .*differ from the saved run's/);
  });

  it('accepts the same checkpoints in another order, listed twice', async () => {
    const { argv } = await firstRun(checkpoints[0]!, checkpoints[1]!);
    const [, ...flags] = argv;
    const r = await run(
      audit(checkpoints[1]!, checkpoints[0]!, checkpoints[1]!, ...flags, '--resume'),
    );
    expect(r.code).toBe(0);
  });

  it('refuses --all when the saved run had a list (64)', async () => {
    const { argv } = await firstRun(checkpoints[0]!);
    const r = await run(audit(...argv, '--all', '--resume'));
    expectOneErrorLine(r, ExitCode.Usage, /this run's --all is on, the saved run's is off/);
  });

  it('refuses an allow-list whose content changed (64)', async () => {
    const allow = file('allow.txt', 'proj_a\nproj_b\n');
    const { argv } = await firstRun(checkpoints[0]!, '--allow', allow);
    fs.writeFileSync(allow, 'proj_a\n');
    const r = await run(audit(...argv, '--resume'));
    expectOneErrorLine(r, ExitCode.Usage, /this run's --allow .*differs from the saved run's/);
  });

  it('accepts the same allow-list written another way (JSON instead of lines)', async () => {
    const allow = file('allow.txt', 'proj_b\nproj_a\n');
    const { argv } = await firstRun(checkpoints[0]!, '--allow', allow);
    fs.writeFileSync(allow, '{"projects": ["proj_a", "proj_b"]}');
    expect((await run(audit(...argv, '--resume'))).code).toBeLessThan(2);
  });

  it('refuses an --allow that the saved run did not have, and the reverse (64)', async () => {
    const allow = file('allow.txt', 'proj_a\n');
    const plain = await firstRun(checkpoints[0]!);
    expectOneErrorLine(
      await run(audit(...plain.argv, '--allow', allow, '--resume')),
      ExitCode.Usage,
      /this run has an --allow, the saved run had none/,
    );
    const allowed = await firstRun(checkpoints[0]!, '--allow', allow);
    const [, , , ...rest] = allowed.argv; // without the checkpoint and --allow FILE
    expectOneErrorLine(
      await run(audit(checkpoints[0]!, ...rest, '--resume')),
      ExitCode.Usage,
      /this run has no --allow, the saved run had one/,
    );
  });

  it('refuses a saved run that records something this version does not know (64)', async () => {
    const { state, argv } = await firstRun(checkpoints[0]!);
    const [header, ...entries] = fs.readFileSync(state, 'utf8').split('\n');
    const saved = JSON.parse(header!) as { run: Record<string, unknown> };
    saved.run.region = 'eu';
    fs.writeFileSync(state, [JSON.stringify(saved), ...entries].join('\n'));
    expectOneErrorLine(
      await run(audit(...argv, '--resume')),
      ExitCode.Usage,
      /this run's region is null, the saved run's is "eu"/,
    );
  });

  it('refuses another revoke mode (64)', async () => {
    const allow = file('allow.txt', 'proj_a\nproj_b\n');
    const { argv } = await firstRun(checkpoints[0]!, '--allow', allow, '--revoke');
    const r = await run(audit(...argv, '--apply', '--resume'));
    expectOneErrorLine(
      r,
      ExitCode.Usage,
      /this run's revoke mode is apply, the saved run's is dry-run/,
    );
  });

  it('refuses another --output (64)', async () => {
    const { output, argv } = await firstRun(checkpoints[0]!);
    const other = file('other.out');
    fs.copyFileSync(output, other);
    const r = await run(audit(...replace(argv, output, other), '--resume'));
    expectOneErrorLine(
      r,
      ExitCode.Usage,
      /this run's --output is .*other\.out, the saved run's is .*run\.out/,
    );
  });

  it('names every difference in the one line', async () => {
    const { argv } = await firstRun(checkpoints[0]!, '--format', 'csv');
    const r = await run(audit(...replace(argv, 'csv', 'jsonl'), '--all', '--resume'));
    expectOneErrorLine(r, ExitCode.Usage, /--format is jsonl.*; this run's --all is on/);
  });

  it('refuses a journal written before runs were recorded (64), saying how to go on', async () => {
    const state = file(
      'old.state',
      `${JSON.stringify({ checkpoint: checkpoints[0], done: true, offset: 0 })}\n`,
    );
    const before = contents(state);
    const r = await run(audit(checkpoints[0]!, '--state', state, '--resume'));
    expectOneErrorLine(r, ExitCode.Usage, /no record of the run.*without --resume/);
    expect(contents(state)).toBe(before);
  });
});

describe('a state file that cannot be written mid-run', () => {
  it.each(['ENOSPC', 'EIO', 'EACCES'])('exits 74 naming --state on %s', async (code) => {
    const state = file('full.state');
    const output = file('full.out');
    fault.path = state;
    fault.after = 2;
    fault.code = code;
    const r = await run(audit('--all', '--state', state, '--output', output));
    expectOneErrorLine(
      r,
      ExitCode.IOError,
      new RegExp(`Cannot write the state file .*${code}.*--state`),
    );
    expect(fault.after).toBeLessThan(0); // it did fail mid-run, after two entries were written
  });
});

describe('a state file that cannot be started', () => {
  it('exits 74 naming --state when its first line cannot be written (a full disk)', async () => {
    const state = file('start.state');
    fault.path = (path) => path.startsWith(join(dir, `.${files}-start.state.`));
    fault.after = 0;
    fault.code = 'ENOSPC';
    const r = await run(audit(checkpoints[0]!, '--state', state));
    expectOneErrorLine(
      r,
      ExitCode.IOError,
      /Cannot write the state file .*ENOSPC.*disk that holds --state/,
    );
    expect(fs.existsSync(state)).toBe(false);
    expect(fs.readdirSync(dir).filter((name) => name.includes('start.state'))).toEqual([]);
  });
});

describe('the modes of the files the tool creates', () => {
  let umask: number;
  beforeEach(() => (umask = process.umask(0o022)));
  afterEach(() => void process.umask(umask));
  const mode = (path: string): number => fs.statSync(path).mode & 0o777;

  it('creates the state, the report and any temp file 0600, whatever the umask lets through', async () => {
    const state = file('new.state');
    const output = file('new.out');
    expect((await run(audit(checkpoints[0]!, '--state', state, '--output', output))).code).toBe(0);
    expect({ state: mode(state), output: mode(output) }).toEqual({ state: 0o600, output: 0o600 });
    for (const rename of fault.renames) expect(rename).toMatchObject({ mode: 0o600 });
    expect(fs.readdirSync(dir).filter((name) => /tmp/i.test(name))).toEqual([]);
  });

  it('keeps the mode of a state and a report that were already there, never widening it', async () => {
    const state = file('old.state', '');
    const output = file('old.out', 'old report\n');
    fs.chmodSync(state, 0o600);
    fs.chmodSync(output, 0o640);
    expect((await run(audit(checkpoints[0]!, '--state', state, '--output', output))).code).toBe(0);
    expect({ state: mode(state), output: mode(output) }).toEqual({ state: 0o600, output: 0o640 });
    const resumed = await run(
      audit(checkpoints[0]!, '--state', state, '--output', output, '--resume'),
    );
    expect(resumed.code).toBe(0);
    expect({ state: mode(state), output: mode(output) }).toEqual({ state: 0o600, output: 0o640 });
  });
});

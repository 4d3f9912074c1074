import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { expect } from 'vitest';
import type { CliIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import {
  seedOrganization,
  startEmulator,
  type CheckpointPermission,
  type Dataset,
  type Emulator,
  type EmulatorOptions,
  type Project,
  type Truth,
} from '../../src/emulator/index.js';

/**
 * The admin key the specs' emulators accept: distinctive, so that finding it in any output
 * proves a leak (the emulator's error messages show keys masked, the last four characters only).
 */
export const SECRET_KEY = 'sk-admin-cli-spec-C4N4RY-7f3c9e1d2b';
/** A key the emulator rejects with a 401 (it does not start with `sk-`). */
export const WRONG_KEY = 'wrong-key-cli-spec-C4N4RY-5a6b7c8d';
/** A key the emulator does not know as a project's: a 401 on the jobs endpoints, and no admin key. */
export const PROJECT_KEY = 'sk-proj-cli-spec-C4N4RY-9e8d7c6b';

/** A checkpoint name that CSV must quote (a comma and double quotes). */
export const AWKWARD_CHECKPOINT = 'ft:gpt-4o-mini-2024-07-18:acme:say "hi", then:Qx1:ckpt-step-7';

/**
 * An emulator for a spec file, on a free port, accepting {@link SECRET_KEY} as its admin key: three seeded jobs
 * (13 checkpoints of 0 to 250 permissions, the seed's awkward `q3 eval/50%#1?` names among them)
 * plus {@link AWKWARD_CHECKPOINT} with 12. Every project that owns jobs has a project key
 * (the seed leaves one without), so that `audit --all` with {@link connect}'s `--project-keys`
 * finds every checkpoint; the specs of partial coverage build their own organization.
 */
export function startSpecEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  return startEmulator({
    adminKey: SECRET_KEY,
    dataset: {
      ...everyOwnerKeyed(seedOrganization({ seed: 11, jobs: 3 })),
      checkpoints: { [AWKWARD_CHECKPOINT]: 12 },
    },
    ...options,
  });
}

/**
 * A generated organization in which every project that owns jobs has a project key (the seed
 * leaves one without): with all the keys, discovery sees every checkpoint.
 */
export function everyOwnerKeyed(organization: Dataset): Dataset {
  return {
    ...organization,
    projects: organization.projects?.map((project, index) =>
      typeof project === 'object' && project.api_key === null
        ? { ...project, api_key: `sk-proj-cli-spec-owner-${index}-C4N4RY` }
        : project,
    ),
  };
}

/** What one in-process run printed, and its exit code. */
export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** How to run `main` in-process. */
export interface RunOptions {
  /** The environment `main` sees; nothing of the test process's own leaks in. */
  readonly env?: Record<string, string | undefined>;
  /** What stdin holds (it ends after it), or the error reading it fails with. */
  readonly stdin?: string | Error;
  /** Pretend stderr is a terminal (the progress bar only shows on one). */
  readonly stderrTTY?: boolean;
  /** Replaces the stdout that is read as it comes (for backpressure and EPIPE specs). */
  readonly stdout?: PassThrough;
}

/** A run in progress: what it printed so far, a way to interrupt it, and its end. */
export interface Started {
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves `io.interrupted()` as a Ctrl-C (or another signal) would. */
  readonly interrupt: (signal?: string) => void;
  readonly done: Promise<Run>;
}

/** Starts `main(argv, io)` with PassThrough streams, an env object and an interrupt we control. */
export function start(argv: readonly string[], options: RunOptions = {}): Started {
  let out = '';
  let err = '';
  const stdout = options.stdout ?? new PassThrough();
  if (!options.stdout) stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  const stderr = Object.assign(new PassThrough(), {
    isTTY: options.stderrTTY ?? false,
    columns: 200,
  });
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const stdin = new PassThrough();
  if (options.stdin instanceof Error) stdin.destroy(options.stdin);
  else stdin.end(options.stdin ?? '');
  let interrupt: (signal: string) => void = () => undefined;
  const interrupted = new Promise<string>((resolve) => (interrupt = resolve));
  const io: CliIO = {
    stdout,
    stderr,
    stdin,
    env: options.env ?? {},
    interrupted: () => interrupted,
  };
  const done = main(argv, io).then((code) => {
    const result = { code, stdout: out, stderr: err };
    expectNoSecret(result); // whatever the run, no key is ever printed
    return result;
  });
  return {
    stdout: () => out,
    stderr: () => err,
    interrupt: (signal = 'SIGINT') => interrupt(signal),
    done,
  };
}

/** Runs `main(argv, io)` in-process to its end. */
export function run(argv: readonly string[], options: RunOptions = {}): Promise<Run> {
  return start(argv, options).done;
}

/**
 * The flags that point a command at an emulator with the right admin key, and its project keys
 * in a `--project-keys` file (mode 600), so that `audit --all` reads the jobs of every project
 * with a key.
 */
export function connect(emulator: Emulator, key = SECRET_KEY): string[] {
  return ['--base-url', emulator.url, '--admin-key', key, ...projectKeysFlag(emulator)];
}

const keyFiles = new WeakMap<Emulator, string>();

/** `--project-keys FILE` for an emulator's project keys, written once (mode 600); none when it has none. */
export function projectKeysFlag(emulator: Emulator): string[] {
  if (Object.keys(emulator.projectKeys).length === 0) return [];
  let path = keyFiles.get(emulator);
  if (path === undefined) {
    path = join(mkdtempSync(join(tmpdir(), 'cli-project-keys-')), 'project-keys.json');
    writeFileSync(path, JSON.stringify(emulator.projectKeys), { mode: 0o600 });
    watchForKeys(emulator.projectKeys);
    keyFiles.set(emulator, path);
  }
  return ['--project-keys', path];
}

/** Keys a spec wrote into a --project-keys file: no run may print them either. */
const projectKeysSeen = new Set<string>();

/**
 * Remembers project keys (an emulator's `projectKeys`, or a file's) so that
 * {@link expectNoSecret} looks for them in every later run's output too.
 */
export function watchForKeys(keys: Readonly<Record<string, string>>): void {
  for (const key of Object.values(keys)) projectKeysSeen.add(key);
}

/** No key of ours appears anywhere in what a run printed. */
export function expectNoSecret(result: Pick<Run, 'stdout' | 'stderr'>): void {
  for (const key of [SECRET_KEY, WRONG_KEY, PROJECT_KEY, ...projectKeysSeen]) {
    expect(result.stdout).not.toContain(key);
    expect(result.stderr).not.toContain(key);
  }
}

/** A failed run: nothing on stdout, exactly one human line on stderr, no stack trace. */
export function expectOneErrorLine(result: Run, code: number, pattern: RegExp): void {
  expect({ code: result.code, stdout: result.stdout }).toEqual({ code, stdout: '' });
  const lines = result.stderr.split('\n');
  expect(lines).toHaveLength(2); // one line, then the final newline
  expect(lines[1]).toBe('');
  expect(lines[0]).toMatch(/^checkpoint-permissions: /);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expectNoSecret(result);
}

/**
 * The JSONL line the CLI prints for a permission, built here independently. `projects` (the
 * truth's) name the grantee, as `audit` does; without them (as `list` prints) the grantee is
 * unknown.
 */
export function permissionLine(
  checkpoint: string,
  p: CheckpointPermission,
  projects?: readonly Project[],
): string {
  const project = projects?.find((candidate) => candidate.id === p.project_id);
  return JSON.stringify({
    checkpoint,
    id: p.id,
    project_id: p.project_id,
    project_name: project?.name ?? null,
    project_status: project?.status ?? null,
    archived: project?.status === 'archived',
    created_at: p.created_at,
  });
}

/** The lines of a text, without the empty string after the final newline. */
export function linesOf(text: string): string[] {
  const lines = text.split('\n');
  expect(lines.at(-1)).toBe('');
  return lines.slice(0, -1);
}

/**
 * Groups JSONL permission lines by their checkpoint, keeping their order: the CLI interleaves
 * checkpoints (they are audited concurrently) but keeps each one's permissions in order.
 */
export function groupByCheckpoint(lines: readonly string[]): Record<string, string[]> {
  const groups: Record<string, string[]> = {};
  for (const line of lines) {
    const { checkpoint } = JSON.parse(line) as { checkpoint: string };
    (groups[checkpoint] ??= []).push(line);
  }
  return groups;
}

/**
 * What `groupByCheckpoint` must give for a complete audit: the truth (an emulator's, or the
 * permissions and projects of one), checkpoints with none left out.
 */
export function expectedGroups(
  truth: { permissions: Record<string, CheckpointPermission[]>; projects: readonly Project[] },
  checkpoints: readonly string[] = Object.keys(truth.permissions),
): Record<string, string[]> {
  const groups: Record<string, string[]> = {};
  for (const checkpoint of checkpoints) {
    const lines = truth.permissions[checkpoint]!.map((p) =>
      permissionLine(checkpoint, p, truth.projects),
    );
    if (lines.length > 0) groups[checkpoint] = lines;
  }
  return groups;
}

/**
 * Parses RFC 4180 CSV (quoted fields, `""` escapes, line breaks inside quotes), written here so
 * that the CLI's quoting is checked against an independent reader.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') {
      if (cell !== '') throw new Error(`a quote inside an unquoted field at ${i}`);
      quoted = true;
    } else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else if (c !== '\r') cell += c;
  }
  if (quoted) throw new Error('an unterminated quoted field');
  if (cell !== '' || row.length > 0) throw new Error('the last row has no line break');
  return rows;
}

/**
 * A stdout whose reader goes away after the first chunk, as `| head` does: the stream fails with
 * EPIPE. `readerLeft` tells when it has.
 */
export function closingStdout(): PassThrough & { readerLeft: boolean } {
  const stdout = Object.assign(new PassThrough(), { readerLeft: false });
  stdout.once('data', () =>
    process.nextTick(() => {
      stdout.destroy(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      stdout.readerLeft = true;
    }),
  );
  return stdout;
}

/** How many permissions a truth map (`emulator.truth().permissions`, or part of it) holds. */
export function countPermissions(
  permissions: Readonly<Record<string, readonly unknown[]>>,
): number {
  return Object.values(permissions).reduce((n, list) => n + list.length, 0);
}

/**
 * What `audit --all` can find in an organization, from its truth alone (independently of the
 * discovery code): the checkpoints named by the audit log's `checkpoint.permission.created`
 * events, and every checkpoint of the jobs owned by the projects whose keys it was given
 * (`keyed`; default every project that has a key).
 */
export function discoverable(
  truth: Truth,
  keyed: ReadonlySet<string> = new Set(truth.projectsWithKeys),
): Set<string> {
  const found = new Set<string>();
  for (const event of truth.auditLog) {
    const created = event['checkpoint.permission.created'];
    if (event.type === 'checkpoint.permission.created' && created)
      found.add(created.data.fine_tuned_model_checkpoint);
  }
  for (const checkpoint of truth.checkpoints) {
    if (keyed.has(truth.jobOwners[checkpoint.fine_tuning_job_id]!))
      found.add(checkpoint.fine_tuned_model_checkpoint);
  }
  return found;
}

/** The header row every CSV the CLI writes starts with (`audit` and `list`). */
export const CSV_HEADER = [
  'checkpoint',
  'id',
  'project_id',
  'created_at',
  'allowed',
  'revoked',
  'error',
  'project_name',
  'project_status',
  'archived',
  'finding_id',
] as const;

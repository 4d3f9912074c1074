import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/cli/exit-codes.js';
import type { Emulator } from '../../src/emulator/index.js';
import { json, startScriptedServer, type ScriptedServer } from '../support/scripted-server.js';
import {
  AWKWARD_CHECKPOINT,
  expectNoSecret,
  expectOneErrorLine,
  linesOf,
  permissionLine,
  run,
  SECRET_KEY,
  startSpecEmulator,
} from './helpers.js';

let emulator: Emulator;
let dir: string;
/** Answers every request with a 503 that asks for a 1 ms wait: each retry is one more request. */
let failing: ScriptedServer;
/** Never answers: only a timeout ends a request. */
let silent: ScriptedServer;

beforeAll(async () => {
  emulator = await startSpecEmulator();
  dir = mkdtempSync(join(tmpdir(), 'cli-flags-'));
  failing = await startScriptedServer((_, res) =>
    json(
      res,
      503,
      { error: { message: 'overloaded', type: 'server_error', param: null, code: null } },
      { 'retry-after-ms': '1' },
    ),
  );
  silent = await startScriptedServer(() => undefined);
});
afterAll(async () => {
  await emulator.close();
  await failing.close();
  await silent.close();
  rmSync(dir, { recursive: true, force: true });
});

const keyFile = (name: string, text: string, mode: number): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  chmodSync(path, mode);
  return path;
};

describe('numeric flags are bounded, and say the range (exit 64)', () => {
  const cases: Array<[string[], RegExp]> = [
    [['list', 'ft:x', '--limit', '99999999999999999999'], /--limit.*from 1 to 100\./],
    [['list', 'ft:x', '--limit', '101'], /--limit.*from 1 to 100\./],
    [['list', 'ft:x', '--limit', '1e2'], /--limit.*from 1 to 100\./],
    [['list', 'ft:x', '--max-pages', '0'], /--max-pages.*from 1 to/],
    [['audit', 'ft:x', '--concurrency', '99999999999999999999'], /--concurrency.*from 1 to 256\./],
    [['audit', 'ft:x', '--limit', '1000'], /--limit.*from 1 to 100\./],
    [['audit', 'ft:x', '--rpm', '99999999999999999999'], /--rpm.*from 1 to/],
    [['audit', 'ft:x', '--max-retries', '-1'], /--max-retries.*from 0 to 100\./],
    [['audit', 'ft:x', '--max-retries', '1000'], /--max-retries.*from 0 to 100\./],
    [['list', 'ft:x', '--timeout', 'soon'], /--timeout.*a duration from 1ms to 1h0m0s/],
    [['list', 'ft:x', '--timeout', '0'], /--timeout.*a duration from 1ms/],
    [['list', 'ft:x', '--timeout', '2h'], /--timeout.*a duration from 1ms to 1h0m0s/],
    [['emulator', '--port', '99999999999999999999'], /--port.*from 0 to 65535\./],
    [['emulator', '--seed', '99999999999999999999'], /--seed.*from 0 to 4294967295\./],
    [['emulator', '--latency', '99999999999'], /--latency.*from 0 to 60000\./],
    [['emulator', '--jobs', '99999999999'], /--jobs.*from 1 to 10000\./],
    [['emulator', '--checkpoints-per-job', '0'], /--checkpoints-per-job.*from 1 to 1000\./],
    [['emulator', '--burst', '1.5'], /--burst.*from 1 to/],
    [['demo', '--seed', '-1'], /--seed.*from 0 to 4294967295\./],
  ];
  it.each(cases)('%j', async (argv, pattern) => {
    expectOneErrorLine(await run(argv), ExitCode.Usage, pattern);
  });
});

describe('--max-retries and --timeout reach the client', () => {
  it('--max-retries 2: three attempts, then exit 2', async () => {
    const before = failing.requests.length;
    const r = await run([
      'list',
      'ft:x',
      '--max-retries',
      '2',
      '--base-url',
      failing.url,
      '--admin-key',
      SECRET_KEY,
    ]);
    expectOneErrorLine(r, ExitCode.CheckpointFailed, /503/);
    expect(failing.requests.length - before).toBe(3);
  });

  it('--max-retries 0: one attempt', async () => {
    const before = failing.requests.length;
    const r = await run([
      'list',
      'ft:x',
      '--max-retries',
      '0',
      '--base-url',
      failing.url,
      '--admin-key',
      SECRET_KEY,
    ]);
    expectOneErrorLine(r, ExitCode.CheckpointFailed, /503/);
    expect(failing.requests.length - before).toBe(1);
  });

  it('--timeout 20ms abandons a request the server never answers', async () => {
    const before = silent.requests.length;
    const r = await run([
      'list',
      'ft:x',
      '--timeout',
      '20ms',
      '--max-retries',
      '0',
      '--base-url',
      silent.url,
      '--admin-key',
      SECRET_KEY,
    ]);
    expectOneErrorLine(r, ExitCode.CheckpointFailed, /tim(ed out|eout)/i);
    expect(silent.requests.length - before).toBe(1);
  });

  it('--timeout takes a bare number of ms too, and audit takes both flags', async () => {
    const r = await run([
      'audit',
      'ft:x',
      '--quiet',
      '--timeout',
      '20',
      '--max-retries',
      '0',
      '--base-url',
      silent.url,
      '--admin-key',
      SECRET_KEY,
    ]);
    expect(r.code).toBe(ExitCode.CheckpointFailed);
    expect(JSON.parse(r.stdout).error.message).toMatch(/tim(ed out|eout)/i);
  });
});

describe('--admin-key-file', () => {
  const truth = () => emulator.truth().permissions[AWKWARD_CHECKPOINT]!;
  const expected = () => truth().map((p) => permissionLine(AWKWARD_CHECKPOINT, p));

  it('reads the key from a file (trailing newline trimmed), silently when the file is private', async () => {
    const path = keyFile('private-key', `${SECRET_KEY}\n`, 0o600);
    const r = await run([
      'list',
      AWKWARD_CHECKPOINT,
      '--base-url',
      emulator.url,
      '--admin-key-file',
      path,
    ]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(linesOf(r.stdout).sort()).toEqual(expected().sort());
    expectNoSecret(r);
  });

  it('warns in one line when group or others can read it, and still works', async () => {
    const path = keyFile('shared-key', `${SECRET_KEY}\n`, 0o644);
    const r = await run([
      'audit',
      AWKWARD_CHECKPOINT,
      '--quiet',
      '--base-url',
      emulator.url,
      '--admin-key-file',
      path,
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      `checkpoint-permissions: warning: ${path} is accessible by group or others (mode 0644); anyone on this machine may read the key. Run: chmod 600 ${path}\n`,
    );
    // audit names the grantees (list does not).
    const { projects } = emulator.truth();
    expect(linesOf(r.stdout).sort()).toEqual(
      truth()
        .map((p) => permissionLine(AWKWARD_CHECKPOINT, p, projects))
        .sort(),
    );
    expectNoSecret(r);
  });

  it('a missing file exits 66, an empty one 78, both with --admin-key 64, never printing the key', async () => {
    expectOneErrorLine(
      await run(['list', 'ft:x', '--admin-key-file', join(dir, 'nope')]),
      ExitCode.NoInput,
      /Cannot read .*nope: no such file\. Check the path given to --admin-key-file\./,
    );
    expectOneErrorLine(
      await run(['list', 'ft:x', '--admin-key-file', keyFile('empty', '\n', 0o600)]),
      ExitCode.Config,
      /is empty: --admin-key-file needs a file holding only the admin key/,
    );
    expectOneErrorLine(
      await run([
        'list',
        'ft:x',
        '--admin-key',
        SECRET_KEY,
        '--admin-key-file',
        keyFile('k', SECRET_KEY, 0o600),
      ]),
      ExitCode.Usage,
      /Give --admin-key or --admin-key-file, not both/,
    );
    const r = await run([
      'list',
      'ft:x',
      '--admin-key-file',
      keyFile('two', `${SECRET_KEY}\nsecond\n`, 0o600),
    ]);
    expectOneErrorLine(r, ExitCode.Config, /holds more than one line/);
  });
});

describe('--help', () => {
  const commands = ['list', 'audit', 'emulator', 'demo'];
  const variables = [
    'OPENAI_ADMIN_KEY',
    'OPENAI_API_KEY',
    'OPENAI_BASE_URL',
    'OPENAI_ORG_ID',
    'OPENAI_PROJECT_ID',
  ];

  it.each(commands)(
    '%s --help shows --debug, examples and what environment it reads',
    async (command) => {
      const r = await run([command, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^ {2}--debug +print stack traces of errors$/m);
      expect(r.stdout).toMatch(
        new RegExp(`^Examples:\\n {2}\\$ checkpoint-permissions ${command}`, 'm'),
      );
      expect(r.stdout).toMatch(/^Environment/m);
      if (command === 'list' || command === 'audit') {
        for (const name of variables) expect(r.stdout).toMatch(new RegExp(`^ {2}${name} `, 'm'));
        expect(r.stdout).toContain('--admin-key-file <file>');
        expect(r.stdout).toMatch(/--admin-key <key> +admin key; visible to other users in ps/);
        expect(r.stdout).toMatch(/--api-key <key> +one project key/);
        expect(r.stdout).toContain('--project-keys <file>');
      }
    },
  );

  it('the program’s help has examples, the environment and the exit codes', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Examples:\n {2}\$ checkpoint-permissions demo$/m);
    for (const name of variables) expect(r.stdout).toMatch(new RegExp(`^ {2}${name} `, 'm'));
    expect(r.stdout).toMatch(/Exit codes: 0 clean, 1 violations, 2 .* 78 configuration/s);
  });
});

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/cli/exit-codes.js';
import type { Emulator } from '../../src/emulator/index.js';
import {
  connect,
  expectNoSecret,
  expectOneErrorLine,
  run,
  SECRET_KEY,
  startSpecEmulator,
  WRONG_KEY,
} from './helpers.js';

let emulator: Emulator;
let dir: string;
let checkpoint: string;

beforeAll(async () => {
  emulator = await startSpecEmulator();
  dir = mkdtempSync(join(tmpdir(), 'cli-errors-'));
  checkpoint = Object.keys(emulator.truth().permissions)[0]!;
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
const missing = (): string => join(dir, 'no-such-dir', 'file');

describe('the documented exit codes', () => {
  it('are the sysexits values for usage, data, input, software, I/O and configuration errors', () => {
    expect(ExitCode).toEqual({
      Clean: 0,
      Violations: 1,
      CheckpointFailed: 2,
      RevocationBudget: 3,
      Usage: 64,
      DataError: 65,
      NoInput: 66,
      Software: 70,
      IOError: 74,
      Config: 78,
    });
  });
});

describe('usage errors exit 64 with one line on stderr', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['an unknown option', ['audit', 'ft:x', '--bogus'], /unknown option '--bogus'/],
    [
      'a misspelt option, suggestion included',
      ['audit', 'ft:x', '--formt', 'csv'],
      /unknown option '--formt' \(Did you mean --format\?\)/,
    ],
    ['an unknown command', ['frobnicate'], /unknown command 'frobnicate'/],
    ['a bad number', ['audit', 'ft:x', '--limit', 'ten'], /'--limit <n>' argument 'ten'.*integer/],
    ['a zero concurrency', ['audit', 'ft:x', '--concurrency', '0'], /from 1 to 256/],
    [
      'an unknown format',
      ['audit', 'ft:x', '--format', 'xml'],
      /Allowed choices are jsonl, csv, table/,
    ],
    ['an unknown order', ['list', 'ft:x', '--order', 'up'], /Allowed choices are ascending/],
    ['a missing argument', ['list'], /missing required argument 'checkpoint'/],
    ['--resume without --state', ['audit', 'ft:x', '--resume'], /--resume needs --state FILE/],
    [
      '--apply without --revoke',
      ['audit', 'ft:x', '--apply'],
      /--apply only makes sense with --revoke/,
    ],
    [
      '--revoke without --allow',
      ['audit', 'ft:x', '--revoke', '--apply'],
      /--revoke needs --allow FILE/,
    ],
    ['no checkpoints at all', ['audit'], /No checkpoints to audit: give their ids, --input FILE/],
    ['a port out of range', ['emulator', '--port', '70000'], /--port.*from 0 to 65535/],
    ['a chaos above 1', ['emulator', '--chaos', '2'], /probability from 0 to 1/],
    ['a negative latency', ['emulator', '--latency', '-5'], /from 0 to 60000/],
  ];
  it.each(cases)('%s', async (_, argv, pattern) => {
    expectOneErrorLine(await run(argv), ExitCode.Usage, pattern);
  });

  it('a --base-url that is not a URL', async () => {
    const r = await run(['audit', 'ft:x', '--base-url', 'not a url', '--admin-key', SECRET_KEY]);
    expectOneErrorLine(r, ExitCode.Usage, /baseURL must be an http\(s\) URL.*Fix --base-url/);
  });

  it('an unwritable --state path', async () => {
    const r = await run(['audit', checkpoint, '--state', missing(), ...connect(emulator)]);
    expectOneErrorLine(r, ExitCode.Usage, /Cannot write the state file .*--state/);
  });

  it('an unreadable --state path to --resume (a directory)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'state-dir-'));
    const r = await run(['audit', checkpoint, '--state', dir, '--resume', ...connect(emulator)]);
    expectOneErrorLine(r, ExitCode.Usage, /Cannot read the state file .*EISDIR.*--state/);
  });

  it('no command at all prints the help on stderr', async () => {
    const r = await run([]);
    expect(r.code).toBe(ExitCode.Usage);
    expect(r.stderr).toContain('Usage: checkpoint-permissions');
  });
});

describe('input errors', () => {
  it('exits 66 for an --input that does not exist', async () => {
    const r = await run(['audit', '--input', missing(), ...connect(emulator)]);
    expectOneErrorLine(
      r,
      ExitCode.NoInput,
      /Cannot read .*: no such file\. Check the path given to --input\./,
    );
  });

  it('exits 66 for an --input that is a directory', async () => {
    const r = await run(['audit', '--input', dir, ...connect(emulator)]);
    expectOneErrorLine(r, ExitCode.NoInput, /Cannot read .*EISDIR.*--input/);
  });

  it('exits 66 for an --allow that does not exist', async () => {
    const r = await run(['audit', checkpoint, '--allow', missing(), ...connect(emulator)]);
    expectOneErrorLine(
      r,
      ExitCode.NoInput,
      /Cannot read .*: no such file\. Check the path given to --allow\./,
    );
  });

  const malformed: Array<[string, string, RegExp]> = [
    ['invalid JSON', '{"projects": [', /is not valid JSON .*one project id per line/],
    ['projects not a list', '{"projects": "proj_a"}', /must look like \{"projects"/],
    ['checkpoints a list', '{"checkpoints": ["proj_a"]}', /must look like \{"projects"/],
    ['checkpoints null', '{"checkpoints": null}', /must look like \{"projects"/],
    [
      'a checkpoint entry not a list',
      '{"checkpoints": {"ft:x": "proj_a"}}',
      /checkpoints\["ft:x"\] must be a list/,
    ],
    ['a number among project ids', '["proj_a", 3]', /the list holds 3, not a project id/],
    ['an empty project id', '{"projects": ["proj_a", ""]}', /projects holds "", not a project id/],
    [
      'a bad per-checkpoint id',
      '{"checkpoints": {"ft:x": [null]}}',
      /checkpoints\["ft:x"\] holds null/,
    ],
  ];
  it.each(malformed)('exits 65 for an --allow with %s', async (name, text, pattern) => {
    const allow = file(`${name.replaceAll(' ', '-')}.json`, text);
    const r = await run(['audit', checkpoint, '--allow', allow, ...connect(emulator)]);
    expectOneErrorLine(r, ExitCode.DataError, pattern);
  });

  it('exits 65 for a --state file that is not a journal', async () => {
    const state = file('foreign.state', 'name,value\n{"checkpoint":"ft:x","done":true}\n');
    const r = await run(['audit', checkpoint, '--state', state, '--resume', ...connect(emulator)]);
    expectOneErrorLine(
      r,
      ExitCode.DataError,
      /line 1 is not a journal entry.*Delete it to start afresh/,
    );
  });

  it('exits 74 for an --output that cannot be written', async () => {
    const r = await run(['audit', checkpoint, '--output', missing(), ...connect(emulator)]);
    expectOneErrorLine(
      r,
      ExitCode.IOError,
      /Cannot write .*: no such directory\. Check the path given to --output\./,
    );
  });

  it('exits 65 for an emulator --dataset that is not a dataset', async () => {
    const dataset = file('dataset.json', '{"jobs": 3}');
    const r = await run(['emulator', '--port', '0', '--dataset', dataset]);
    expectOneErrorLine(r, ExitCode.DataError, /Cannot start the emulator: /);
  });
});

describe('credentials', () => {
  it('exits 78 with no admin key in the flags or the environment, saying how to fix it', async () => {
    const r = await run(['audit', checkpoint, '--base-url', emulator.url], {
      env: { OPENAI_ADMIN_KEY: '', HOME: '/home/someone' },
    });
    expectOneErrorLine(
      r,
      ExitCode.Config,
      /No admin key\. Set OPENAI_ADMIN_KEY \(the permission endpoints need an admin key\) or pass --admin-key-file FILE \(or --admin-key KEY\)\. To try without one, run: npm run demo$/,
    );
  });

  it('exits 78 for list too', async () => {
    const r = await run(['list', checkpoint, '--base-url', emulator.url]);
    expectOneErrorLine(r, ExitCode.Config, /No admin key/);
  });

  it('exits 78 when the API rejects the key (401), without printing it', async () => {
    const r = await run(['audit', checkpoint, ...connect(emulator, WRONG_KEY)]);
    expectOneErrorLine(r, ExitCode.Config, /The API rejected the key \(401\).*need an admin key/);
  });

  it('exits 78 for a project key given as the admin key (the API refuses it: 401, insufficient permissions)', async () => {
    const [projectKey] = Object.values(emulator.projectKeys);
    const r = await run(['audit', checkpoint, ...connect(emulator, projectKey)]);
    expectOneErrorLine(
      r,
      ExitCode.Config,
      /The API rejected the key \(401\) listing the projects: 401 You have insufficient permissions.*need an admin key \(--admin-key-file, OPENAI_ADMIN_KEY\)\.$/,
    );
    expect(r.stderr).not.toContain(projectKey);
  });

  it('exits 78 when --all is rejected before discovery', async () => {
    const r = await run(['audit', '--all', ...connect(emulator, WRONG_KEY)]);
    expectOneErrorLine(
      r,
      ExitCode.Config,
      /The API rejected the key \(401\) listing the projects: 401 .*need an admin key/,
    );
  });

  it('exits 78 when list is rejected', async () => {
    const r = await run(['list', checkpoint, ...connect(emulator, WRONG_KEY)]);
    expectOneErrorLine(r, ExitCode.Config, /401 .*Check the key/);
  });

  it('exits 78 for a key with spaces inside, naming the flags that give it', async () => {
    const r = await run(['audit', checkpoint, '--base-url', emulator.url], {
      env: { OPENAI_ADMIN_KEY: 'sk-admin pasted twice' },
    });
    expectOneErrorLine(
      r,
      ExitCode.Config,
      /OPENAI_ADMIN_KEY \(adminAPIKey\) must not contain whitespace.*Fix --admin-key, --admin-key-file or OPENAI_ADMIN_KEY\.$/,
    );
  });
});

describe('--fail-fast', () => {
  it('stops at the first failed checkpoint, exits 2, and says why in one line', async () => {
    const r = await run(['audit', 'ft:nope', '--fail-fast', ...connect(emulator)]);
    expectOneErrorLine(r, 2, /404 .*'ft:nope' does not exist/);
  });
});

describe('--debug', () => {
  it('adds the stack trace under the one line', async () => {
    const r = await run(['audit', '--input', missing(), '--debug', ...connect(emulator)]);
    expect(r.code).toBe(ExitCode.NoInput);
    const [first, ...rest] = r.stderr.split('\n');
    expect(first).toMatch(/^checkpoint-permissions: Cannot read /);
    expect(rest.join('\n')).toMatch(/^CliError: Cannot read [^\n]*\n\s+at /);
    expectNoSecret(r);
  });

  it('works before the command too, and shows the stack of an API error', async () => {
    const r = await run(['--debug', 'list', checkpoint, ...connect(emulator, WRONG_KEY)]);
    expect(r.code).toBe(ExitCode.Config);
    expect(r.stderr).toMatch(/^checkpoint-permissions: 401 .*\n\w*Error: 401 [^\n]*\n\s+at /);
    expectNoSecret(r);
  });
});

describe('help and version', () => {
  it('--help prints the commands on stdout and exits 0', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: checkpoint-permissions \[options\] \[command\]/);
    for (const command of ['list', 'audit', 'emulator', 'demo'])
      expect(r.stdout).toContain(command);
    expect(r.stderr).toBe('');
  });

  it('audit --help lists its flags and exits 0', async () => {
    const r = await run(['audit', '--help']);
    expect(r.code).toBe(0);
    for (const flag of [
      '--input',
      '--all',
      '--format',
      '--allow',
      '--revoke',
      '--state',
      '--resume',
      '--quiet',
    ])
      expect(r.stdout).toContain(flag);
  });

  it('--version prints the package version and exits 0', async () => {
    const { version } = (await import('../../package.json', { with: { type: 'json' } })).default;
    const r = await run(['--version']);
    expect(r).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });
});

describe('a directory as --output', () => {
  it('is an I/O error too', async () => {
    const out = join(dir, 'out-dir');
    mkdirSync(out, { recursive: true });
    const r = await run(['audit', checkpoint, '--output', out, ...connect(emulator)]);
    expectOneErrorLine(r, ExitCode.IOError, /Cannot write .*EISDIR.*--output/);
  });
});

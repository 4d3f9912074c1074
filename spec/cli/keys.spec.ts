import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/cli/exit-codes.js';
import type { Emulator } from '../../src/emulator/index.js';
import {
  AWKWARD_CHECKPOINT,
  expectNoSecret,
  expectOneErrorLine,
  linesOf,
  PROJECT_KEY,
  run,
  type Run,
  SECRET_KEY,
  startSpecEmulator,
  watchForKeys,
} from './helpers.js';

let emulator: Emulator;
let dir: string;

beforeAll(async () => {
  emulator = await startSpecEmulator();
  dir = mkdtempSync(join(tmpdir(), 'cli-keys-'));
});
afterAll(async () => {
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A key in a file that no run may print (it is looked for in every run's output). */
const KEY_IN_FILE = 'sk-proj-keys-spec-C4N4RY-1a2b3c4d';
watchForKeys({ file: KEY_IN_FILE });

const file = (name: string, text: string, mode = 0o600): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  chmodSync(path, mode);
  return path;
};

describe('a project key without an admin key', () => {
  const noAdmin =
    /^checkpoint-permissions: No admin key: the permission endpoints need an admin key, and a project key \(--api-key, OPENAI_API_KEY, --project-keys\) only opens the fine-tuning jobs endpoints\. Set OPENAI_ADMIN_KEY or pass --admin-key-file FILE \(or --admin-key KEY\)\.$/;

  it.each([
    ['--api-key', ['--api-key', PROJECT_KEY], {}],
    ['OPENAI_API_KEY', [], { OPENAI_API_KEY: PROJECT_KEY }],
    ['--project-keys', ['--project-keys', 'KEYS'], {}],
  ])(
    'exits 78 (%s), saying that the permission endpoints need an admin key, before any request',
    async (_, flags, env) => {
      const keys = file('only-project-keys.json', JSON.stringify({ proj_a: KEY_IN_FILE }));
      const before = emulator.stats().requests;
      for (const command of [
        ['list', AWKWARD_CHECKPOINT],
        ['audit', '--all'],
      ]) {
        const r = await run(
          [
            ...command,
            '--base-url',
            emulator.url,
            ...flags.map((flag) => (flag === 'KEYS' ? keys : flag)),
          ],
          { env },
        );
        expectOneErrorLine(r, ExitCode.Config, noAdmin);
      }
      expect(emulator.stats().requests).toBe(before);
    },
  );

  it('says how to start without any key at all', async () => {
    const r = await run(['audit', '--all', '--base-url', emulator.url]);
    expectOneErrorLine(
      r,
      ExitCode.Config,
      /No admin key\. Set OPENAI_ADMIN_KEY \(the permission endpoints need an admin key\) or pass --admin-key-file FILE \(or --admin-key KEY\)\. To try without one, run: npm run demo$/,
    );
  });
});

describe('--admin-key', () => {
  it('is the admin key, and cannot be given with --admin-key-file (64)', async () => {
    const ok = await run([
      'list',
      AWKWARD_CHECKPOINT,
      '--base-url',
      emulator.url,
      '--admin-key',
      SECRET_KEY,
    ]);
    expect({ code: ok.code, stderr: ok.stderr }).toEqual({ code: 0, stderr: '' });
    expect(linesOf(ok.stdout)).toHaveLength(12);
    expectOneErrorLine(
      await run([
        'list',
        'ft:x',
        '--admin-key',
        SECRET_KEY,
        '--admin-key-file',
        file('admin-key', SECRET_KEY),
      ]),
      ExitCode.Usage,
      /^checkpoint-permissions: Give --admin-key or --admin-key-file, not both\.$/,
    );
  });
});

describe('--project-keys FILE', () => {
  const audit = (keys: string): Promise<Run> =>
    run([
      'audit',
      '--all',
      '--quiet',
      '--base-url',
      emulator.url,
      '--admin-key',
      SECRET_KEY,
      '--project-keys',
      keys,
    ]);

  const bad: Array<[string, string, RegExp]> = [
    [
      'not JSON (cut short)',
      `{"proj_a": "${KEY_IN_FILE}`,
      /: not valid JSON \(at position \d+\)\./,
    ],
    ['an array', `["${KEY_IN_FILE}"]`, /: holds an array, not an object\./],
    ['null', 'null', /: holds null, not an object\./],
    ['an empty object', '{}', /: holds no project key\./],
    [
      'an entry not named by a project id',
      `{"proj_a": "${KEY_IN_FILE}", "Research": "${KEY_IN_FILE}"}`,
      /: entry 2 is not named by a project id \(proj_…\)\./,
    ],
    [
      'an entry the wrong way round (its name is the key)',
      `{"${KEY_IN_FILE}": "proj_a"}`,
      /: entry 1 is not named by a project id \(proj_…\); it looks like a key: is the entry the wrong way round\?/,
    ],
    [
      'a key that is not a string',
      '{"proj_a": 42}',
      /: the key of proj_a is a number, not a string\./,
    ],
    ['an empty key', '{"proj_a": "  "}', /: the key of proj_a is empty\./],
    [
      'a key with whitespace inside',
      `{"proj_a": "${KEY_IN_FILE} ${KEY_IN_FILE}"}`,
      /: the key of proj_a holds whitespace; check how it was pasted\./,
    ],
    [
      'an admin key',
      '{"proj_a": "sk-admin-keys-spec-C4N4RY"}',
      /: the key of proj_a is an admin key; give the admin key with OPENAI_ADMIN_KEY or --admin-key-file, and each project's own key here\./,
    ],
  ];

  it.each(bad)(
    'refuses %s: exit 65, one line naming the entry, never the key',
    async (_, text, pattern) => {
      const path = file('bad-keys.json', text);
      const before = emulator.stats().requests;
      const r = await audit(path);
      expectOneErrorLine(r, ExitCode.DataError, pattern);
      expect(r.stderr).toContain(`${path}: `);
      expect(r.stderr).toMatch(
        /--project-keys takes a JSON object of project ids to project keys, such as \{"proj_abc": "sk-proj-…"\}\.$/m,
      );
      expect(r.stderr).not.toContain('sk-admin-keys-spec');
      expect(emulator.stats().requests).toBe(before);
    },
  );

  it('a missing file exits 66, naming the flag', async () => {
    expectOneErrorLine(
      await audit(join(dir, 'nope.json')),
      ExitCode.NoInput,
      /Cannot read .*nope\.json: no such file\. Check the path given to --project-keys\./,
    );
  });

  it('warns in one line when group or others can read it, as ssh does, and still uses it', async () => {
    const keys = JSON.stringify(emulator.projectKeys);
    watchForKeys(emulator.projectKeys);
    const shared = file('shared-keys.json', keys, 0o640);
    const r = await audit(shared);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      `checkpoint-permissions: warning: ${shared} is accessible by group or others (mode 0640); anyone on this machine may read the key. Run: chmod 600 ${shared}\n`,
    );
    const quiet = await audit(file('private-keys.json', keys, 0o600));
    expect(quiet).toEqual({ ...quiet, code: 0, stderr: '' });
    expect(quiet.stdout).toBe(r.stdout);
    expectNoSecret(r);
  });
});

describe('an admin key without project keys', () => {
  it('audits --all on the audit log alone, and says so on stderr in one line', async () => {
    const r = await run(['audit', '--all', '--quiet', '--base-url', emulator.url], {
      env: { OPENAI_ADMIN_KEY: SECRET_KEY },
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      'checkpoint-permissions: warning: no project keys (--project-keys FILE, OPENAI_API_KEY): --all reads the audit log alone, so checkpoints whose grants all predate audit logging cannot be found.\n',
    );
    expect(r.stdout).not.toBe('');
  });

  it('says nothing of the kind without --all', async () => {
    const r = await run(['audit', AWKWARD_CHECKPOINT, '--quiet', '--base-url', emulator.url], {
      env: { OPENAI_ADMIN_KEY: SECRET_KEY },
    });
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { terminalSafe } from '../../src/cli/terminal-text.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { json, startScriptedServer, type ScriptedServer } from '../support/scripted-server.js';
import { connect, expectOneErrorLine, run, SECRET_KEY } from './helpers.js';

describe('terminalSafe', () => {
  it('shows ESC, BEL and the rest of C0 as visible escapes', () => {
    expect(terminalSafe('ft:evil\x1b[2J\x1b]0;PWNED\x07')).toBe(
      'ft:evil\\x1b[2J\\x1b]0;PWNED\\x07',
    );
    expect(terminalSafe('a\rb\bc\nd\te\0')).toBe('a\\rb\\x08c\\nd\\te\\x00');
  });

  it('escapes DEL and C1, the one-character CSI U+009B among them', () => {
    expect(terminalSafe('x\x7fy\x9b2Jz\x80\x9f')).toBe('x\\x7fy\\x9b2Jz\\x80\\x9f');
  });

  it('escapes the bidi overrides and isolates', () => {
    const all = '\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069';
    expect(terminalSafe(`proj_${all}`)).toBe(
      'proj_\\u202a\\u202b\\u202c\\u202d\\u202e\\u2066\\u2067\\u2068\\u2069',
    );
  });

  it('leaves printable text alone, non-ASCII included', () => {
    const text = 'ft:gpt-4o-mini:acme:café 日本 "q3 eval/50%#1?" \u00a0\u00e9 \\x1b';
    expect(terminalSafe(text)).toBe(text);
  });

  it('leaves no character a terminal acts on, for any input', () => {
    let all = '';
    for (let c = 0; c < 0x3000; c++) all += String.fromCharCode(c);
    // eslint-disable-next-line no-control-regex -- control characters are what this matches
    expect(terminalSafe(all)).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  });
});

describe('hostile text from the server never reaches the terminal raw', () => {
  const EVIL_CHECKPOINT = 'ft:evil\x1b[2J\x1b]0;PWNED\x07\r\b\u202e';
  const EVIL_PROJECT = 'proj_\x9b2J\u2066x';
  /** Anyone may name a project in the dashboard: this one is archived, and keyless. */
  const EVIL_NAME = 'Partner\x1b[2J\x1b]0;PWNED\x07\u202e';
  /** A checkpoint of a plain name granted to that project, which the audit reports by name. */
  const PLAIN_CHECKPOINT = 'ft:gpt-4o-mini-2024-07-18:acme:plain:Qx2';
  // eslint-disable-next-line no-control-regex -- control characters are what this matches
  const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
  let emulator: Emulator;
  let hostile: ScriptedServer;

  beforeAll(async () => {
    emulator = await startEmulator({
      adminKey: SECRET_KEY,
      dataset: {
        jobs: [
          {
            id: 'ftjob-evil',
            created_at: 1_700_000_000,
            checkpoints: [
              {
                fine_tuned_model_checkpoint: EVIL_CHECKPOINT,
                permissions: [
                  { id: 'cp_evil', project_id: EVIL_PROJECT, created_at: 1_700_000_100 },
                ],
              },
              {
                fine_tuned_model_checkpoint: PLAIN_CHECKPOINT,
                permissions: [
                  { id: 'cp_plain', project_id: EVIL_PROJECT, created_at: 1_700_000_200 },
                ],
              },
            ],
          },
        ],
        projects: [{ id: EVIL_PROJECT, name: EVIL_NAME, status: 'archived' }],
      },
    });
    hostile = await startScriptedServer((_, res) =>
      json(res, 400, {
        error: {
          message: 'Bad\x1b[2J\x1b]0;PWNED\x07 request\nforged line',
          type: 'invalid_request_error',
          param: null,
          code: null,
        },
      }),
    );
  });
  afterAll(async () => {
    await emulator.close();
    await hostile.close();
  });

  it('audit --all audits a discovered checkpoint named with escape sequences, and shows it escaped', async () => {
    const r = await run(['audit', '--all', '--format', 'table', '--quiet', ...connect(emulator)]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(RAW);
    expect(r.stderr).not.toMatch(RAW);
    expect(r.stdout).toContain(`${terminalSafe(EVIL_CHECKPOINT)}  `);
    expect(r.stdout).toContain(`${PLAIN_CHECKPOINT}  `);
  });

  it('audit --format table names the grantee of an archived grant escaped, and so does the coverage', async () => {
    const r = await run(['audit', '--all', '--format', 'table', ...connect(emulator)]);
    expect(r.stdout).not.toMatch(RAW);
    expect(r.stderr).not.toMatch(RAW);
    const listed = r.stdout.split('Grants to archived projects:\n')[1]!;
    // Both checkpoints are audited (the hostile one shown escaped), so the column is as wide as
    // its escaped name.
    const grantee = `${terminalSafe(EVIL_PROJECT)}  ${terminalSafe(EVIL_NAME)}`;
    const width = terminalSafe(EVIL_CHECKPOINT).length;
    expect(listed.trimEnd().split('\n').slice(1)).toEqual([
      `${terminalSafe(EVIL_CHECKPOINT)}  ${grantee}  cp_evil`,
      `${PLAIN_CHECKPOINT.padEnd(width)}  ${grantee}  cp_plain`,
    ]);
    expect(r.stderr).toContain(
      `${terminalSafe(EVIL_PROJECT)} (${terminalSafe(EVIL_NAME)}, archived)`,
    );
  });

  it('an error line from main shows the server’s message escaped, on one line', async () => {
    const r = await run(['list', 'ft:x', '--base-url', hostile.url, '--admin-key', SECRET_KEY]);
    expectOneErrorLine(r, 2, /Bad\\x1b\[2J\\x1b\]0;PWNED\\x07 request\\nforged line/);
    expect(r.stderr).not.toMatch(RAW);
  });

  it('a failed checkpoint’s row in the table is escaped too', async () => {
    const r = await run([
      'audit',
      'ft:x',
      '--format',
      'table',
      '--quiet',
      '--base-url',
      hostile.url,
      '--admin-key',
      SECRET_KEY,
    ]);
    expect(r.code).toBe(2);
    expect(r.stdout).not.toMatch(RAW);
    expect(r.stdout).toContain('\\x1b[2J');
  });

  it('an unknown option echoed by commander is escaped', async () => {
    const r = await run(['audit', 'ft:x', '--evil\x1b]0;PWNED\x07']);
    expectOneErrorLine(r, 64, /unknown option '--evil\\x1b\]0;PWNED\\x07'/);
  });

  it('JSONL stays JSON: parsed back, the name is exactly the server’s', async () => {
    const r = await run(['list', EVIL_CHECKPOINT, ...connect(emulator)]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(RAW);
    const [line] = r.stdout.trim().split('\n');
    expect(JSON.parse(line!)).toEqual({
      checkpoint: EVIL_CHECKPOINT,
      id: 'cp_evil',
      project_id: EVIL_PROJECT,
      project_name: null,
      project_status: null,
      archived: false,
      created_at: 1_700_000_100,
    });
    expect(emulator.truth().permissions[EVIL_CHECKPOINT]![0]!.project_id).toBe(EVIL_PROJECT);
  });

  it('audit JSONL stays JSON too: the project name is exactly the server’s', async () => {
    const r = await run(['audit', PLAIN_CHECKPOINT, '--quiet', ...connect(emulator)]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(RAW);
    expect(JSON.parse(r.stdout)).toMatchObject({
      project_id: EVIL_PROJECT,
      project_name: EVIL_NAME,
      project_status: 'archived',
      archived: true,
    });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/cli/exit-codes.js';
import type { Emulator } from '../../src/emulator/index.js';
import { json, startScriptedServer, type ScriptedServer } from '../support/scripted-server.js';
import {
  connect,
  expectOneErrorLine,
  run,
  SECRET_KEY,
  startSpecEmulator,
  WRONG_KEY,
  type Run,
} from './helpers.js';

/**
 * A library error reaches the terminal as one line that ends in exactly one period, whether or
 * not the server's own message ended in one; the request is printed from the error's fields
 * where it helps (which server could not be reached), never parsed out of its message.
 */

let emulator: Emulator;
let nonsense: ScriptedServer;
let refusedURL: string;
let checkpoint: string;

beforeAll(async () => {
  emulator = await startSpecEmulator();
  checkpoint = Object.keys(emulator.truth().permissions)[0]!;
  nonsense = await startScriptedServer((_, res) =>
    json(res, 200, { object: 'list', data: 7, has_more: false }),
  );
  const gone = await startScriptedServer(() => undefined);
  refusedURL = gone.url;
  await gone.close();
});
afterAll(async () => {
  await emulator.close();
  await nonsense.close();
});

/** The one error line, checked to end in exactly one period. */
function errorLine(r: Run, code: number): string {
  expectOneErrorLine(r, code, /[^.]\.$/);
  return r.stderr.trimEnd();
}

describe('a library error is one line ending in exactly one period', () => {
  it('a 401 whose server message ends in a period (list)', async () => {
    const line = errorLine(await run(['list', checkpoint, ...connect(emulator, WRONG_KEY)]), 78);
    expect(line).toMatch(/^checkpoint-permissions: 401 Incorrect API key provided: /);
    expect(line).toMatch(
      /api-keys\. Check the key: the permission endpoints need an admin key \(OPENAI_ADMIN_KEY\), the jobs endpoints a project key\.$/,
    );
    expect(line).not.toMatch(/\((GET|POST|DELETE) /);
  });

  it('a 401 at discovery (audit --all)', async () => {
    const r = await run(['audit', '--all', ...connect(emulator, WRONG_KEY)]);
    expect(errorLine(r, ExitCode.Config)).not.toMatch(/\.\./);
  });

  it('a 404 with --fail-fast', async () => {
    const r = await run(['audit', 'ft:nope', '--fail-fast', ...connect(emulator)]);
    const line = errorLine(r, ExitCode.CheckpointFailed);
    expect(line).toMatch(
      /404 The fine-tuned model checkpoint 'ft:nope' does not exist or you do not have access to it\.$/,
    );
    expect(line).not.toMatch(/\((GET|POST|DELETE) /);
  });

  it('a 2xx that is not the API', async () => {
    const r = await run(['list', 'ft:x', '--base-url', nonsense.url, '--admin-key', SECRET_KEY]);
    const line = errorLine(r, ExitCode.CheckpointFailed);
    expect(line).toMatch(
      /^checkpoint-permissions: Malformed response: data should be an array, got number\. Check/,
    );
  });

  it('a refused connection names the request, from the error’s fields', async () => {
    const r = await run([
      'list',
      'ft:x',
      '--base-url',
      refusedURL,
      '--admin-key',
      SECRET_KEY,
      '--max-retries',
      '0',
    ]);
    const line = errorLine(r, ExitCode.CheckpointFailed);
    expect(line).toMatch(/^checkpoint-permissions: Connection error: .*ECONNREFUSED/);
    expect(line).toContain(`(GET ${refusedURL}/fine_tuning/checkpoints/ft:x/permissions).`);
  });
});

describe('the table of an audit', () => {
  it('gives a failed checkpoint’s reason without the request', async () => {
    const r = await run(['audit', 'ft:nope', '--format', 'table', ...connect(emulator)]);
    expect(r.code).toBe(ExitCode.CheckpointFailed);
    const row = r.stdout.split('\n').find((l) => l.includes('ft:nope'));
    expect(row).toMatch(/failed: 404 The fine-tuned model checkpoint/);
    expect(row).not.toMatch(/\((GET|POST|DELETE) /);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processIO } from '../../src/cli/io.js';
import type { Emulator } from '../../src/emulator/index.js';
import { json, startScriptedServer, type ScriptedServer } from '../support/scripted-server.js';
import {
  connect,
  expectedGroups,
  expectNoSecret,
  expectOneErrorLine,
  groupByCheckpoint,
  linesOf,
  run,
  PROJECT_KEY,
  SECRET_KEY,
  startSpecEmulator,
} from './helpers.js';

let emulator: Emulator;
/** A server that answers every request with a 200 whose body is not a list page. */
let nonsense: ScriptedServer;

beforeAll(async () => {
  emulator = await startSpecEmulator();
  nonsense = await startScriptedServer((_, res) =>
    json(res, 200, { object: 'list', data: 'not a list', has_more: false }),
  );
});
afterAll(async () => {
  await emulator.close();
  await nonsense.close();
});

describe('main', () => {
  it('runs the same command twice in one process with the same result (no state kept between runs)', async () => {
    const argv = ['audit', '--all', '--quiet', ...connect(emulator)];
    const [a, b] = await Promise.all([run(argv), run(argv)]);
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    expect(groupByCheckpoint(linesOf(a.stdout))).toEqual(expectedGroups(emulator.truth()));
    expect(groupByCheckpoint(linesOf(b.stdout))).toEqual(groupByCheckpoint(linesOf(a.stdout)));
  });

  it('exits 2 in one line when the server answers something that is not the API', async () => {
    const r = await run(['list', 'ft:x', '--base-url', nonsense.url, '--admin-key', SECRET_KEY]);
    expectOneErrorLine(r, 2, /Malformed response: data should be an array.*Check that --base-url/);
  });

  it('exits 2 in one line when discovery (--all) meets such a server', async () => {
    const r = await run([
      'audit',
      '--all',
      '--base-url',
      nonsense.url,
      '--admin-key',
      SECRET_KEY,
      '--api-key', // a project key too: no warning that the audit log alone is read
      PROJECT_KEY,
    ]);
    expectOneErrorLine(r, 2, /Malformed response: data should be an array.*Check that --base-url/);
  });

  it('exits 66 in one line when stdin cannot be read', async () => {
    const r = await run(['audit', '--input', '-', ...connect(emulator)], {
      stdin: Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' }),
    });
    expectOneErrorLine(r, 66, /Cannot read the checkpoints from stdin: EIO: i\/o error, read\./);
    expectNoSecret(r);
  });
});

describe('processIO', () => {
  it('is the real process, and reports the first SIGINT or SIGTERM', async () => {
    const before = {
      SIGINT: process.listeners('SIGINT'),
      SIGTERM: process.listeners('SIGTERM'),
    };
    try {
      const io = processIO();
      expect(io.stdout).toBe(process.stdout);
      expect(io.stderr).toBe(process.stderr);
      expect(io.stdin).toBe(process.stdin);
      expect(io.env).toBe(process.env);
      const interrupted = io.interrupted();
      process.emit('SIGTERM', 'SIGTERM');
      expect(await interrupted).toBe('SIGTERM');
    } finally {
      for (const signal of ['SIGINT', 'SIGTERM'] as const) {
        for (const listener of process.listeners(signal))
          if (!before[signal].includes(listener)) process.off(signal, listener);
      }
    }
  });
});

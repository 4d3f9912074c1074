import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { connect, expectNoSecret, expectOneErrorLine, run, startSpecEmulator } from './helpers.js';

/** A report that cannot be written fails the run in one line (74): it never passes for a clean run. */
let emulator: Emulator;

beforeAll(async () => {
  emulator = await startSpecEmulator();
});
afterAll(async () => {
  await emulator.close();
});

function smallCheckpoint(): [string, ReturnType<Emulator['truth']>['permissions'][string]] {
  return Object.entries(emulator.truth().permissions).find(
    ([, list]) => list.length >= 3 && list.length < 10,
  )!;
}

describe('a report that cannot be written', () => {
  it('exits 74 in one line when stdout fails with anything but a closed pipe (a full disk)', async () => {
    const stdout = new PassThrough();
    stdout.on('data', () =>
      stdout.emit('error', Object.assign(new Error('no space left on device'), { code: 'ENOSPC' })),
    );
    const [checkpoint] = smallCheckpoint();
    const result = await run(['audit', checkpoint, ...connect(emulator)], { stdout });
    expectOneErrorLine(result, 74, /Cannot write the report to stdout: no space left on device/);
    expectNoSecret(result);
  });

  it('exits 74 in one line when --output cannot take a write', async () => {
    const [checkpoint] = smallCheckpoint();
    const result = await run([
      'audit',
      checkpoint,
      '--output',
      '/dev/full',
      '--quiet',
      ...connect(emulator),
    ]);
    expectOneErrorLine(result, 74, /Cannot write \/dev\/full: /);
  });
});

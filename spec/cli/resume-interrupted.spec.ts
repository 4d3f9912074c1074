import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { connect, expectOneErrorLine, run, startSpecEmulator } from './helpers.js';

/**
 * Resuming an interrupted run (a kill, a cut journal line, a damaged report) never loses,
 * repeats or silently drops records.
 */
let emulator: Emulator;
let dir: string;

beforeAll(async () => {
  emulator = await startSpecEmulator();
  dir = mkdtempSync(join(tmpdir(), 'cli-resume-interrupted-'));
});
afterAll(async () => {
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

function smallCheckpoint(): [string, ReturnType<Emulator['truth']>['permissions'][string]] {
  return Object.entries(emulator.truth().permissions).find(
    ([, list]) => list.length >= 3 && list.length < 10,
  )!;
}

describe('resuming an interrupted audit', () => {
  it('refuses an --output that is missing or shorter than the state says (65), instead of losing records', async () => {
    const [checkpoint] = smallCheckpoint();
    const state = join(dir, 'short.state');
    const output = join(dir, 'short.jsonl');
    const args = [
      'audit',
      checkpoint,
      '--state',
      state,
      '--output',
      output,
      '--quiet',
      ...connect(emulator),
    ];
    expect((await run(args)).code).toBe(0);
    writeFileSync(output, 'cut');
    expectOneErrorLine(
      await run([...args, '--resume']),
      65,
      /holds 3 bytes, but the state file says/,
    );
    rmSync(output);
    expectOneErrorLine(
      await run([...args, '--resume']),
      65,
      /does not exist, but the state file says/,
    );
  });

  it('neither revokes nor reports again a revocation committed before a kill, and still counts it', async () => {
    const [checkpoint, permissions] = smallCheckpoint();
    const allow = join(dir, 'allow.txt');
    writeFileSync(
      allow,
      permissions
        .slice(1)
        .map((p) => p.project_id)
        .join('\n'),
    );
    const state = join(dir, 'revoke.state');
    const output = join(dir, 'revoke.jsonl');
    const args = [
      'audit',
      checkpoint,
      '--allow',
      allow,
      '--revoke',
      '--state',
      state,
      '--output',
      output,
      '--quiet',
      ...connect(emulator),
    ];
    expect((await run(args)).code).toBe(1);
    // A kill after the revocation's commit, before the checkpoint's own: drop its `done` entry.
    const entries = readFileSync(state, 'utf8').trim().split('\n');
    expect(JSON.parse(entries.at(-1)!)).toMatchObject({ checkpoint, done: true });
    writeFileSync(state, `${entries.slice(0, -1).join('\n')}\n`);
    const resumed = await run([...args, '--resume']);
    const revokeLines = readFileSync(output, 'utf8')
      .split('\n')
      .filter((line) => line.includes('"revoke"'));
    expect(revokeLines).toHaveLength(1);
    expect(resumed.code).toBe(1);
  });

  it('drops a journal line cut off by a kill, so that the resumed run’s entries stay readable', async () => {
    const [checkpoint] = smallCheckpoint();
    const state = join(dir, 'cut.state');
    const output = join(dir, 'cut.jsonl');
    const args = [
      'audit',
      checkpoint,
      '--state',
      state,
      '--output',
      output,
      '--quiet',
      ...connect(emulator),
    ];
    expect((await run(args)).code).toBe(0);
    const entries = readFileSync(state, 'utf8').trim().split('\n');
    // Killed while writing its last entry: half a line, no newline.
    writeFileSync(state, `${entries.slice(0, -1).join('\n')}\n${entries.at(-1)!.slice(0, 12)}`);
    expect((await run([...args, '--resume'])).code).toBe(0);
    expect((await run([...args, '--resume'])).code).toBe(0);
    for (const line of readFileSync(state, 'utf8').trim().split('\n'))
      expect(() => JSON.parse(line)).not.toThrow();
  });
});

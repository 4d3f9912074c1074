import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CheckpointPermission, Emulator } from '../../src/emulator/index.js';
import {
  AWKWARD_CHECKPOINT,
  connect,
  expectNoSecret,
  expectOneErrorLine,
  parseCsv,
  permissionLine,
  run,
  startSpecEmulator,
  CSV_HEADER,
} from './helpers.js';

let emulator: Emulator;
let big: string;

beforeAll(async () => {
  emulator = await startSpecEmulator();
  big = Object.entries(emulator.truth().permissions).sort(
    (a, b) => b[1].length - a[1].length,
  )[0]![0];
});
afterAll(() => emulator.close());
afterEach(() => emulator.resetStats());

const of = (checkpoint: string): CheckpointPermission[] =>
  emulator.truth().permissions[checkpoint]!;
const jsonl = (checkpoint: string, list: CheckpointPermission[]): string =>
  list.map((p) => `${permissionLine(checkpoint, p)}\n`).join('');

describe('list', () => {
  it('prints every permission as JSONL, newest first by default (the API’s order)', async () => {
    const r = await run(['list', big, ...connect(emulator)]);
    expect(r).toEqual({ code: 0, stdout: jsonl(big, [...of(big)].reverse()), stderr: '' });
    expect(of(big).length).toBeGreaterThan(100);
  });

  it('--order ascending', async () => {
    const r = await run(['list', AWKWARD_CHECKPOINT, '--order', 'ascending', ...connect(emulator)]);
    expect(r).toEqual({
      code: 0,
      stdout: jsonl(AWKWARD_CHECKPOINT, of(AWKWARD_CHECKPOINT)),
      stderr: '',
    });
  });

  it('--format csv: a header, then RFC 4180 rows', async () => {
    const r = await run([
      'list',
      AWKWARD_CHECKPOINT,
      '--format',
      'csv',
      '--order',
      'ascending',
      ...connect(emulator),
    ]);
    expect(r.code).toBe(0);
    expect(parseCsv(r.stdout)).toEqual([
      [...CSV_HEADER],
      // list does not look the grantees up: no name, no status.
      ...of(AWKWARD_CHECKPOINT).map((p) => [
        AWKWARD_CHECKPOINT,
        p.id,
        p.project_id,
        String(p.created_at),
        '',
        '',
        '',
        '',
        '',
        'false',
        '',
      ]),
    ]);
  });

  it('--project-id: only that project’s permission', async () => {
    const wanted = of(big)[17]!;
    const r = await run(['list', big, '--project-id', wanted.project_id, ...connect(emulator)]);
    expect(r).toEqual({
      code: 0,
      stdout: jsonl(
        big,
        of(big).filter((p) => p.project_id === wanted.project_id),
      ),
      stderr: '',
    });
  });

  it('--limit and --max-pages: stops after that many pages of that size', async () => {
    const r = await run(['list', big, '--limit', '7', '--max-pages', '3', ...connect(emulator)]);
    expect(r).toEqual({
      code: 0,
      stdout: jsonl(big, [...of(big)].reverse().slice(0, 21)),
      stderr: '',
    });
    expect(emulator.stats().permissionPagesServed).toBe(3);
  });

  it('exits 2 for an unknown checkpoint, in one line', async () => {
    const r = await run(['list', 'ft:nope', ...connect(emulator)]);
    expectOneErrorLine(r, 2, /404 .*'ft:nope' does not exist/);
  });

  it('never prints the key', async () => {
    const r = await run(['list', big, '--debug', ...connect(emulator)]);
    expectNoSecret(r);
  });
});

import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import {
  closingStdout,
  connect,
  countPermissions,
  expectedGroups,
  groupByCheckpoint,
  linesOf,
  permissionLine,
  run,
  start,
  startSpecEmulator,
} from './helpers.js';
import { waitFor } from '../support/wait-for.js';

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startSpecEmulator();
});
afterAll(() => emulator.close());
afterEach(() => emulator.resetStats());

const truth = (): ReturnType<Emulator['truth']>['permissions'] => emulator.truth().permissions;
const totalItems = (): number => countPermissions(truth());
const biggest = (): string =>
  Object.entries(truth()).sort((a, b) => b[1].length - a[1].length)[0]![0];

describe('a reader that goes away (EPIPE)', () => {
  it('ends audit quietly: exit 0, nothing on stderr, and no more pages fetched', async () => {
    const r = await run(
      ['audit', '--all', '--limit', '5', '--concurrency', '2', ...connect(emulator)],
      {
        stdout: closingStdout(),
      },
    );
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
    // The whole audit takes far more pages than the few fetched before the pipe closed.
    expect(emulator.stats().permissionItemsServed).toBeLessThan(totalItems() / 2);
  });

  it('ends list quietly too', async () => {
    const r = await run(['list', biggest(), '--limit', '5', ...connect(emulator)], {
      stdout: closingStdout(),
    });
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(emulator.stats().permissionItemsServed).toBeLessThan(truth()[biggest()]!.length / 2);
  });
});

describe('a reader that does not read (backpressure)', () => {
  /**
   * Runs a command with a stdout nobody reads, waits until it stalls, and checks how far it ran
   * ahead: permissions served by the emulator may exceed what stdout took by at most what its
   * buffers hold (the PassThrough's readable and writable high-water marks, plus the one page
   * that was written past the mark) plus `2 × inFlightPages` pages (each audited checkpoint holds
   * at most one fetched page waiting for the write, and one more in flight). Then it reads, and
   * the run must end with the full truth: nothing was lost while it waited.
   */
  async function expectBounded(
    argv: string[],
    { inFlightPages, limit, items }: { inFlightPages: number; limit: number; items: number },
  ): Promise<string> {
    const hwm = 1024;
    const stdout = new PassThrough({ highWaterMark: hwm });
    const started = start(argv, { stdout });
    // `list` leaves the grantee unknown, `audit` names it: the bound holds for both.
    const { projects } = emulator.truth();
    const lineBytes = Object.entries(truth()).flatMap(([checkpoint, list]) =>
      list.flatMap((p) => [
        Buffer.byteLength(permissionLine(checkpoint, p)) + 1,
        Buffer.byteLength(permissionLine(checkpoint, p, projects)) + 1,
      ]),
    );
    const shortest = Math.min(...lineBytes);
    const longest = Math.max(...lineBytes);
    const bound = Math.floor((2 * hwm + limit * longest) / shortest) + 2 * inFlightPages * limit;

    // Stalled: the stream is full, no request is in flight, and the counters stay still.
    let last = -1;
    let still = 0;
    await waitFor(() => {
      const { permissionItemsServed, inFlight } = emulator.stats();
      still =
        stdout.writableNeedDrain && inFlight === 0 && permissionItemsServed === last
          ? still + 1
          : 0;
      last = permissionItemsServed;
      return still >= 20;
    }, 'the command to stall on a full stdout');
    expect(last).toBeLessThanOrEqual(bound);
    expect(items).toBeGreaterThan(bound); // else running ahead could not be told apart

    let out = '';
    stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    const r = await started.done;
    expect(r.code).toBe(0);
    return out;
  }

  it('holds audit back: it never runs more than its buffers and 2 × concurrency pages ahead', async () => {
    const out = await expectBounded(
      ['audit', '--all', '--limit', '5', '--concurrency', '2', '--quiet', ...connect(emulator)],
      { inFlightPages: 2, limit: 5, items: totalItems() },
    );
    expect(groupByCheckpoint(linesOf(out))).toEqual(expectedGroups(emulator.truth()));
  });

  it('holds list back the same way', async () => {
    const checkpoint = biggest();
    const out = await expectBounded(['list', checkpoint, '--limit', '5', ...connect(emulator)], {
      inFlightPages: 1,
      limit: 5,
      items: truth()[checkpoint]!.length,
    });
    expect(linesOf(out)).toEqual(
      [...truth()[checkpoint]!].reverse().map((p) => permissionLine(checkpoint, p)),
    );
  });
});

describe('a reader gone before the binary writes (`checkpoint-permissions --help | head -0`)', () => {
  const BIN = fileURLToPath(new URL('../../dist/cli/bin.js', import.meta.url));

  it.each([['--help'], ['--version'], ['help', 'audit']])(
    '%s ends quietly, without a stack trace',
    async (...args) => {
      const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      // The read end closes before the child can write: its first write fails with EPIPE.
      child.stdout.destroy();
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    },
  );
});

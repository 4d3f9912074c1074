/**
 * Scenario 1, sequential paging: one checkpoint with 100,000 permissions read at `limit` 100,
 * so 1,000 pages one after another. What it measures is per-page overhead, CPU-bound on
 * loopback: request building, the limiter, parsing and checking the JSON, the Observable
 * plumbing. Contenders: `permissions$`, `permissions$` with a subscriber on the diagnostics
 * channels (the cost of tracing), `permissionPages` (our pull iterator), a bare undici
 * `request()` loop (the practical limit), a bare loop over undici's `dispatch` (the API our
 * transport is built on), the official SDK's `for await`, and Node's `fetch`.
 *
 * The emulator runs in a child process for the headline figures: serving a page costs about as
 * much CPU as reading it, and in-process the two would take turns on one event loop, so every
 * contender's figure would be half the server's. A second, in-process pass is printed for
 * comparison with measurements taken that way (such as the SDK figures in peers.md); there,
 * each contender's process starts an emulator of its own.
 *
 * Each contender runs in a process of its own (`workers/sequential-contender.ts`), as it would
 * in a user's program: timed in one shared process, whichever contender ran after the SDK
 * inherited its garbage, and its CPU per page varied by a third from run to run.
 */
import { fileURLToPath } from 'node:url';
import { datasetOf } from '../../src/emulator/index.js';
import { SEQUENTIAL_CONTENDERS } from '../peers/sequential-contenders.js';
import { startChildEmulator, type BenchEmulator } from '../support/bench-emulator.js';
import { runIfMain } from '../support/main.js';
import type { Goal, ScenarioReport } from '../support/report.js';
import { median, round } from '../support/stats.js';
import type { Table } from '../support/table.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';
import type { RunResult, SequentialSetup } from '../workers/sequential-contender.js';

const WORKER = fileURLToPath(new URL('../workers/sequential-contender.ts', import.meta.url));

const CHECKPOINT = 'ft:gpt-4o-mini-2024-07-18:acme:bench:XyZ12345:ckpt-step-1';
const PERMISSIONS = 100_000;
const LIMIT = 100;
const PAGES = PERMISSIONS / LIMIT;
/**
 * Timed runs per contender, after the warm-up runs; the median is reported. On this shared
 * 2-core machine the same run's CPU time varies by a factor of two from one repetition to the
 * next, for every contender alike: medians need many runs.
 */
const REPETITIONS = 15;
/** The first runs are up to four times as slow while the JIT of both processes warms up. */
const WARM_UP = 4;

interface Measured {
  readonly name: string;
  /** Pages per second of each timed run. */
  readonly runs: number[];
  readonly median: number;
  /**
   * Median CPU time of the client process per page, µs: the client's own cost, which is what a
   * library can change. It is less sensitive than wall time to other load on the machine.
   */
  readonly cpuPerPage: number;
  /** Median CPU time of the emulator per page, µs (`NaN` in process, where it cannot be told apart). */
  readonly serverCpuPerPage: number;
}

/**
 * Starts every contender in a process of its own, warms them up (JIT, keep-alive connections),
 * then times them in rotation (A B C D E F, A B C D E F, ...) so that drift in the machine's
 * speed spreads over all of them. `emulator` undefined: each process serves itself, in process.
 */
async function measure(emulator: BenchEmulator | undefined): Promise<Measured[]> {
  const workers: Array<WorkerProcess<RunResult>> = [];
  try {
    for (const contender of SEQUENTIAL_CONTENDERS) {
      const setup: SequentialSetup = {
        contender,
        target: emulator && { url: emulator.url, apiKey: emulator.apiKey },
        checkpoint: CHECKPOINT,
        permissions: PERMISSIONS,
        limit: LIMIT,
      };
      workers.push(await startWorkerProcess<SequentialSetup, RunResult>(WORKER, setup));
    }
    const runOnce = async (i: number): Promise<RunResult> => {
      const result = await (workers[i] as WorkerProcess<RunResult>).run();
      if (result.pages !== PAGES) {
        throw new Error(`${SEQUENTIAL_CONTENDERS[i]} read ${result.pages} pages, not ${PAGES}`);
      }
      return result;
    };
    for (let r = 0; r < WARM_UP; r++) for (const i of workers.keys()) await runOnce(i);
    const runs = workers.map(() => [] as number[]);
    const cpu = workers.map(() => [] as number[]);
    const serverCpu = workers.map(() => [] as number[]);
    for (let r = 0; r < REPETITIONS; r++) {
      for (const i of workers.keys()) {
        const serverBefore = (await emulator?.cpuMs()) ?? NaN;
        const { ms, cpuMs } = await runOnce(i);
        const serverMs = ((await emulator?.cpuMs()) ?? NaN) - serverBefore;
        runs[i]?.push((PAGES / ms) * 1000);
        cpu[i]?.push((cpuMs * 1000) / PAGES);
        serverCpu[i]?.push((serverMs * 1000) / PAGES);
      }
    }
    return SEQUENTIAL_CONTENDERS.map((name, i) => ({
      name,
      runs: runs[i] ?? [],
      median: median(runs[i] ?? []),
      cpuPerPage: median(cpu[i] ?? []),
      serverCpuPerPage: median(serverCpu[i] ?? []),
    }));
  } finally {
    for (const worker of workers) await worker.close();
  }
}

function table(title: string, measured: readonly Measured[]): Table {
  const undici = measured[0]?.median ?? NaN;
  return {
    title,
    columns: [
      'contender',
      'pages/s',
      'worst',
      'best',
      'vs undici',
      'client CPU µs/page',
      'server CPU µs/page',
    ],
    rows: measured.map((m) => [
      m.name,
      round(m.median, 0),
      round(Math.min(...m.runs), 0),
      round(Math.max(...m.runs), 0),
      `${round(m.median / undici)}x`,
      round(m.cpuPerPage, 0),
      Number.isNaN(m.serverCpuPerPage) ? 'n/a' : round(m.serverCpuPerPage, 0),
    ]),
  };
}

export async function run(): Promise<ScenarioReport> {
  const emulator = await startChildEmulator({ dataset: datasetOf({ [CHECKPOINT]: PERMISSIONS }) });
  let child: Measured[];
  try {
    child = await measure(emulator);
  } finally {
    await emulator.close();
  }
  const inProcess = await measure(undefined);

  const rate = (name: string): number => child.find((m) => m.name.startsWith(name))?.median ?? NaN;
  const ours = rate('permissions$');
  const ratio = ours / rate('undici');
  const goals: Goal[] = [
    {
      name: 'permissions$ vs raw undici',
      target: '>= 0.9x',
      actual: `${round(ratio)}x`,
      met: ratio >= 0.9,
    },
    {
      name: 'permissions$ vs the official SDK',
      target: 'ahead (> 1x)',
      actual: `${round(ours / rate('openai'))}x`,
      met: ours > rate('openai'),
    },
  ];
  return {
    scenario: 'sequential',
    title: `1. Sequential paging: ${PERMISSIONS.toLocaleString('en')} permissions, limit ${LIMIT} (${PAGES} pages)`,
    setup: {
      checkpoint: CHECKPOINT,
      permissions: PERMISSIONS,
      limit: LIMIT,
      repetitions: REPETITIONS,
    },
    tables: [
      table('Emulator in a child process (headline: client and server on their own cores)', child),
      table('Emulator in this process (client and server share one event loop)', inProcess),
    ],
    goals,
    notes: [
      `pages/s: median of ${REPETITIONS} timed runs per contender after ${WARM_UP} warm-up runs, in rotation, each contender in a process of its own; worst and best runs beside it`,
      'client / server CPU µs/page: user + system CPU of the client / emulator process per page (median); in process, the client figure includes the server',
    ],
    raw: { child, inProcess },
  };
}

await runIfMain(import.meta.url, run);

/**
 * Scenario 4, memory under a slow consumer: audit 200,000 permissions (and 20,000, to compare)
 * into a consumer ten times slower than the emulator: the emulator answers a page in ~1 ms, the
 * consumer handles one page at a time in 10 ms. With backpressure, a checkpoint's next page waits
 * for the consumer, so memory stays O(concurrency × page size) whatever the audit's size: the
 * peak at 200k should be within 10% of the peak at 20k.
 *
 * Contenders: `auditPermissions$` with a `process` hook, the pull iterator `auditPermissions`, the
 * naive `permissions$` + `concatMap` pipeline (which buffers without bound), and the CLI writing
 * JSONL into a pipe read slowly. Every case runs in a fresh process for a clean RSS peak, and the
 * emulator (holding 220,000 permissions) in yet another. A second pass, with forced GCs, measures
 * the live heap, which the RSS and the sampled heap (garbage included) only hint at.
 */
import { fileURLToPath } from 'node:url';
import { datasetOf } from '../../src/emulator/index.js';
import type { MemoryCase, MemoryCaseResult, Pipeline } from '../workers/memory-case.js';
import { startChildEmulator, type BenchEmulator } from '../support/bench-emulator.js';
import { checkpointNames, countsOf } from '../support/checkpoints.js';
import { runCliIntoSlowPipe } from '../support/cli-slow-pipe.js';
import { runWorker } from '../support/fork-worker.js';
import { runIfMain } from '../support/main.js';
import type { Goal, ScenarioReport } from '../support/report.js';
import { mib, round } from '../support/stats.js';

const WORKER = fileURLToPath(new URL('../workers/memory-case.ts', import.meta.url));
const CHECKPOINTS_PER_SIZE = 16;
const SIZES = [20_000, 200_000] as const;
const LIMIT = 100;
const CONCURRENCY = 8;
const EMULATOR_LATENCY_MS = 1;
const CONSUMER_MS_PER_PAGE = 10;
/** A JSONL line is ~170 bytes, so 1.7 bytes/ms reads a page of 100 lines in ~10 ms, like the consumer. */
const PIPE_BYTES_PER_MS = 1_700;
const SAMPLE_MS = 5;
/** The live-heap pass forces a full GC this often. */
const LIVE_HEAP_EVERY_MS = 1_000;
const CLI = 'CLI audit | slow pipe';
const PIPELINES: readonly Pipeline[] = [
  'auditPermissions$ + process',
  'auditPermissions (pull)',
  'naive',
];
/** The live-heap pass costs a run per size: ours and the naive pipeline are enough to compare. */
const LIVE_HEAP_PIPELINES: readonly Pipeline[] = ['auditPermissions$ + process', 'naive'];

/** Checkpoints holding `total` permissions between them, distinct per size. */
function checkpointsFor(total: number): readonly string[] {
  return checkpointNames(`memory${total}`, CHECKPOINTS_PER_SIZE);
}

/** One row of the table; `undefined` where a figure cannot be taken (the CLI's heap). */
interface Row {
  readonly contender: string;
  readonly permissions: number;
  readonly peakRss: number;
  readonly peakHeapUsed: number | undefined;
  readonly peakLiveHeap: number | undefined;
  readonly baselineRss: number | undefined;
  readonly maxPagesAhead: number | undefined;
  readonly wallMs: number;
}

async function libraryCase(
  emulator: BenchEmulator,
  pipeline: Pipeline,
  total: number,
  liveHeap: boolean,
): Promise<MemoryCaseResult> {
  const memoryCase: MemoryCase = {
    url: emulator.url,
    apiKey: emulator.apiKey,
    pipeline,
    checkpoints: checkpointsFor(total),
    concurrency: CONCURRENCY,
    limit: LIMIT,
    consumerMsPerPage: CONSUMER_MS_PER_PAGE,
    sampleMs: SAMPLE_MS,
    ...(liveHeap ? { liveHeapEveryMs: LIVE_HEAP_EVERY_MS } : {}),
  };
  const nodeOptions = liveHeap ? ['--expose-gc'] : [];
  const result = await runWorker<MemoryCase, MemoryCaseResult>(WORKER, memoryCase, nodeOptions);
  if (result.permissions !== total) {
    throw new Error(`${pipeline} read ${result.permissions} permissions, not ${total}`);
  }
  return result;
}

async function cliCase(emulator: BenchEmulator, total: number): Promise<Row> {
  const result = await runCliIntoSlowPipe({
    url: emulator.url,
    apiKey: emulator.apiKey,
    checkpoints: checkpointsFor(total),
    concurrency: CONCURRENCY,
    limit: LIMIT,
    bytesPerMs: PIPE_BYTES_PER_MS,
    pollMs: SAMPLE_MS,
  });
  if (result.exitCode !== 0 || result.lines !== total) {
    throw new Error(
      `the CLI exited with ${result.exitCode} after ${result.lines} lines, not ${total}`,
    );
  }
  return {
    contender: CLI,
    permissions: total,
    peakRss: result.peakRss,
    peakHeapUsed: undefined,
    peakLiveHeap: undefined,
    baselineRss: undefined,
    maxPagesAhead: undefined,
    wallMs: result.wallMs,
  };
}

/** Every row, measured one case at a time so that no two cases compete for the CPU. */
async function measure(emulator: BenchEmulator): Promise<Row[]> {
  const rows: Row[] = [];
  for (const pipeline of PIPELINES) {
    for (const total of SIZES) {
      const result = await libraryCase(emulator, pipeline, total, false);
      const live = LIVE_HEAP_PIPELINES.includes(pipeline)
        ? await libraryCase(emulator, pipeline, total, true)
        : undefined;
      rows.push({ contender: pipeline, ...result, peakLiveHeap: live?.peakLiveHeap });
    }
  }
  for (const total of SIZES) rows.push(await cliCase(emulator, total));
  return rows;
}

/** The ratio of a figure at the largest size to the same figure at the smallest. */
function growth(
  rows: readonly Row[],
  contender: string,
  figure: (row: Row) => number | undefined,
): number {
  const [small, large] = SIZES.map((total) => {
    const row = rows.find((r) => r.contender === contender && r.permissions === total);
    return (row && figure(row)) ?? NaN;
  });
  return (large ?? NaN) / (small ?? NaN);
}

function flatGoal(name: string, ratio: number): Goal {
  return { name, target: '<= 1.10x', actual: `${round(ratio)}x`, met: ratio <= 1.1 };
}

export async function run(): Promise<ScenarioReport> {
  const counts = SIZES.map((total) =>
    countsOf(checkpointsFor(total), () => total / CHECKPOINTS_PER_SIZE),
  );
  const emulator = await startChildEmulator({
    dataset: datasetOf(Object.assign({}, ...counts) as Record<string, number>),
    latencyMs: EMULATOR_LATENCY_MS,
  });
  let rows: Row[];
  try {
    rows = await measure(emulator);
  } finally {
    await emulator.close();
  }

  const ours = [...PIPELINES.filter((p) => p !== 'naive'), CLI];
  const goals: Goal[] = [
    ...ours.map((c) =>
      flatGoal(
        `${c}: peak RSS, 200k vs 20k`,
        growth(rows, c, (r) => r.peakRss),
      ),
    ),
    flatGoal(
      'auditPermissions$ + process: live heap, 200k vs 20k',
      growth(rows, 'auditPermissions$ + process', (r) => r.peakLiveHeap),
    ),
  ];
  const optional = (value: number | undefined, format: (v: number) => number): number | string =>
    value === undefined ? 'n/a' : format(value);
  const naive = (figure: (row: Row) => number | undefined): number =>
    round(growth(rows, 'naive', figure));
  return {
    scenario: 'memory',
    title: `4. Memory: ${SIZES.map((s) => s.toLocaleString('en')).join(' vs ')} permissions into a consumer 10x slower than the emulator`,
    setup: {
      checkpointsPerSize: CHECKPOINTS_PER_SIZE,
      limit: LIMIT,
      concurrency: CONCURRENCY,
      emulatorLatencyMs: EMULATOR_LATENCY_MS,
      consumerMsPerPage: CONSUMER_MS_PER_PAGE,
      pipeBytesPerMs: PIPE_BYTES_PER_MS,
      sampleMs: SAMPLE_MS,
      liveHeapEveryMs: LIVE_HEAP_EVERY_MS,
    },
    tables: [
      {
        title: 'Memory of the auditing process (a fresh process per measurement)',
        columns: [
          'contender',
          'permissions',
          'peak RSS MiB',
          'RSS before MiB',
          'peak heap MiB',
          'live heap MiB',
          'max pages ahead',
          'seconds',
        ],
        rows: rows.map((r) => [
          r.contender,
          r.permissions,
          mib(r.peakRss),
          optional(r.baselineRss, mib),
          optional(r.peakHeapUsed, mib),
          optional(r.peakLiveHeap, mib),
          optional(r.maxPagesAhead, (v) => v),
          round(r.wallMs / 1000, 1),
        ]),
      },
    ],
    goals,
    notes: [
      'peak RSS: the kernel high-water mark (ru_maxrss; VmHWM polled every 5 ms for the CLI, which runs from dist/ as shipped)',
      'peak heap: heapUsed sampled every 5 ms, garbage included (it grows with the run length until a full GC)',
      `live heap: heapUsed after a forced full GC every ${LIVE_HEAP_EVERY_MS} ms, in a separate run with --expose-gc`,
      'max pages ahead: pages requested but not yet consumed, sampled every 5 ms; backpressure keeps it near the concurrency',
      `naive pipeline, 200k vs 20k: peak RSS ${naive((r) => r.peakRss)}x, live heap ${naive((r) => r.peakLiveHeap)}x (for comparison; no goal)`,
      'the library cases run under `node --import tsx`: the TypeScript loader is part of "RSS before"',
    ],
    raw: rows,
  };
}

await runIfMain(import.meta.url, run);

/**
 * Scenario 2, fan-out: 1,000 small checkpoints (one or two pages each) behind 20 ms of emulator
 * latency, read at concurrency 16, 32 and 64. The ideal wall time is total pages × latency /
 * concurrency: every slot always busy, no time lost between a response and the next request.
 * Our library runs as users would write it (`auditPermissions$`, and `mergeMap` over
 * `permissions$`), with a client whose `rateLimit.maxConcurrency` is the concurrency; the
 * official SDK runs in a promise pool of the same size; a pool of bare undici loops shows what
 * a minimal client does against the same emulator, and the same loops against a canned server
 * (bodies read beforehand, answered after the same latency) show the machine's floor. The
 * emulator has no rate limit here and runs in a child process, as a remote API would; each
 * contender runs in a process of its own (`workers/fan-out-contender.ts`).
 */
import { fileURLToPath } from 'node:url';
import { datasetOf } from '../../src/emulator/index.js';
import { FAN_OUT_CONTENDERS } from '../peers/fan-out-contenders.js';
import {
  startCannedServer,
  startChildEmulator,
  type BenchEmulator,
  type CannedServer,
} from '../support/bench-emulator.js';
import { checkpointNames, countsOf, pagesFor } from '../support/checkpoints.js';
import { runIfMain } from '../support/main.js';
import type { Goal, ScenarioReport } from '../support/report.js';
import { median, round } from '../support/stats.js';
import type { Table } from '../support/table.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';
import type { FanOutRun, FanOutSetup } from '../workers/fan-out-contender.js';

const WORKER = fileURLToPath(new URL('../workers/fan-out-contender.ts', import.meta.url));

const CHECKPOINTS = checkpointNames('fanout', 1_000);
/** Alternately 60 and 160 permissions: one page, then two, at limit 100. */
const PERMISSIONS = (i: number): number => (i % 2 === 0 ? 60 : 160);
const LIMIT = 100;
const LATENCY_MS = 20;
const CONCURRENCIES = [16, 32, 64] as const;
/**
 * Timed runs per contender and concurrency; the median is reported. On this shared 2-core
 * machine the same run varies by a third from one repetition to the next, so 3 were too few.
 */
const REPETITIONS = 5;
const WARM_UP = 2;
const PAGES = CHECKPOINTS.reduce((sum, _, i) => sum + pagesFor(PERMISSIONS(i), LIMIT), 0);
const PERMISSION_TOTAL = CHECKPOINTS.reduce((sum, _, i) => sum + PERMISSIONS(i), 0);

interface Measured {
  readonly contender: string;
  readonly ours: boolean;
  readonly concurrency: number;
  readonly wallMs: number[];
  readonly medianMs: number;
  /** Median CPU time of the contender's process per run: near the wall time, the client is CPU-bound. */
  readonly cpuMs: number;
  /** Median CPU time of the emulator's process per run: near the wall time, the server limits. */
  readonly serverCpuMs: number;
  readonly idealMs: number;
  /** The most requests the emulator had in flight at once (the concurrency really reached). */
  readonly maxInFlight: number;
}

type Contender = WorkerProcess<FanOutRun, number>;

async function measure(
  emulator: BenchEmulator,
  canned: CannedServer,
  contenders: readonly Contender[],
  concurrency: number,
): Promise<Measured[]> {
  const idealMs = (PAGES * LATENCY_MS) / concurrency;
  const wallMs = contenders.map(() => [] as number[]);
  const cpuMs = contenders.map(() => [] as number[]);
  const serverCpuMs = contenders.map(() => [] as number[]);
  const inFlight = contenders.map(() => 0);
  for (let r = 0; r < REPETITIONS; r++) {
    for (const [i, contender] of contenders.entries()) {
      const { name, canned: isCanned } = FAN_OUT_CONTENDERS[
        i
      ] as (typeof FAN_OUT_CONTENDERS)[number];
      const server = isCanned ? canned : emulator;
      await emulator.resetStats();
      const serverBefore = await server.cpuMs();
      const run = await contender.run(concurrency);
      const serverCpu = (await server.cpuMs()) - serverBefore;
      const stats = await emulator.stats();
      const served = isCanned ? PAGES : stats.permissionPagesServed;
      if (run.permissions !== PERMISSION_TOTAL || served !== PAGES) {
        throw new Error(
          `${name} read ${run.permissions} permissions in ${served} pages; ` +
            `expected ${PERMISSION_TOTAL} in ${PAGES}`,
        );
      }
      wallMs[i]?.push(run.ms);
      cpuMs[i]?.push(run.cpuMs);
      serverCpuMs[i]?.push(serverCpu);
      if (!isCanned) inFlight[i] = Math.max(inFlight[i] ?? 0, stats.maxInFlight);
    }
  }
  return FAN_OUT_CONTENDERS.map((contender, i) => ({
    contender: contender.name,
    ours: contender.ours,
    concurrency,
    wallMs: wallMs[i] ?? [],
    medianMs: median(wallMs[i] ?? []),
    cpuMs: median(cpuMs[i] ?? []),
    serverCpuMs: median(serverCpuMs[i] ?? []),
    idealMs,
    maxInFlight: inFlight[i] ?? 0,
  }));
}

export async function run(): Promise<ScenarioReport> {
  const dataset = datasetOf(countsOf(CHECKPOINTS, PERMISSIONS));
  const emulator = await startChildEmulator({ dataset, latencyMs: LATENCY_MS });
  const canned = await startCannedServer({
    emulator: { dataset },
    checkpoints: CHECKPOINTS,
    limit: LIMIT,
    latencyMs: LATENCY_MS,
  });
  const measured: Measured[] = [];
  const contenders: Contender[] = [];
  try {
    const work = {
      checkpoints: CHECKPOINTS,
      limit: LIMIT,
      pages: PAGES,
      permissions: PERMISSION_TOTAL,
    };
    for (const { name, canned: isCanned } of FAN_OUT_CONTENDERS) {
      const target = isCanned ? canned : emulator;
      const setup: FanOutSetup = {
        contender: name,
        target: { url: target.url, apiKey: target.apiKey },
        work,
      };
      contenders.push(await startWorkerProcess<FanOutSetup, FanOutRun, number>(WORKER, setup));
    }
    // Warm-up, not timed: the JIT on both sides (the first runs are up to twice as slow).
    for (let r = 0; r < WARM_UP; r++) {
      for (const contender of contenders) await contender.run(CONCURRENCIES[0]);
    }
    for (const concurrency of CONCURRENCIES)
      measured.push(...(await measure(emulator, canned, contenders, concurrency)));
  } finally {
    for (const contender of contenders) await contender.close();
    await canned.close();
    await emulator.close();
  }

  // What this machine achieves at all: bare undici loops at the same concurrency.
  const floor = (concurrency: number): number =>
    measured.find((m) => m.concurrency === concurrency && m.contender.startsWith('undici'))
      ?.medianMs ?? NaN;
  const table: Table = {
    title: `Wall time for ${PAGES} pages (median of ${REPETITIONS}), against the ideal`,
    columns: [
      'concurrency',
      'contender',
      'wall ms',
      'ideal ms',
      'x ideal',
      'x undici pool',
      'client CPU ms',
      'server CPU ms',
      'in flight',
    ],
    rows: measured.map((m) => [
      m.concurrency,
      m.contender,
      round(m.medianMs, 0),
      round(m.idealMs, 0),
      round(m.medianMs / m.idealMs),
      round(m.medianMs / floor(m.concurrency)),
      round(m.cpuMs, 0),
      round(m.serverCpuMs, 0),
      m.maxInFlight || 'n/a',
    ]),
  };
  const goals: Goal[] = measured
    .filter((m) => m.ours)
    .map((m) => ({
      name: `${m.contender} at concurrency ${m.concurrency}`,
      target: '<= 1.15x ideal',
      actual: `${round(m.medianMs / m.idealMs)}x ideal`,
      met: m.medianMs / m.idealMs <= 1.15,
    }));
  return {
    scenario: 'fan-out',
    title: `2. Fan-out: ${CHECKPOINTS.length} checkpoints, ${PAGES} pages, ${LATENCY_MS} ms latency`,
    setup: {
      checkpoints: CHECKPOINTS.length,
      permissions: PERMISSION_TOTAL,
      pages: PAGES,
      limit: LIMIT,
      latencyMs: LATENCY_MS,
      concurrencies: CONCURRENCIES,
      repetitions: REPETITIONS,
    },
    tables: [table],
    goals,
    notes: [
      'ideal = pages × latency / concurrency; the emulator has no rate limit in this scenario',
      'the limiter opens with one request until the first response (its slow start): ~1 latency',
      'x undici pool: wall time against bare undici loops reading the same emulator at the same concurrency',
      'in flight: the most requests the emulator saw at once',
      "floor: bare undici loops against a bare HTTP server that answers from bodies read beforehand, after the same latency: the machine's own overhead, with no server or client logic",
      "client CPU / server CPU: CPU time of the contender's process / of the server's process per run (median); near the wall time, that side is the bottleneck",
    ],
    raw: measured,
  };
}

await runIfMain(import.meta.url, run);

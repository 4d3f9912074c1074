/**
 * Scenario 2, fan-out: 1,000 small checkpoints (one or two pages each) behind 20 ms of emulator
 * latency, read at concurrency 16, 32 and 64. The ideal wall time is total pages × latency /
 * concurrency: every slot always busy, no time lost between a response and the next request.
 * Our library runs as users would write it (`auditPermissions$`, and `mergeMap` over
 * `permissions$`), with a client whose `rateLimit.maxConcurrency` is the concurrency; the
 * official SDK runs in a promise pool of the same size; a pool of bare undici loops shows what
 * this machine can do at all. The emulator has no rate limit here and runs in a child process,
 * as a remote API would.
 */
import { from, lastValueFrom, mergeMap, reduce } from 'rxjs';
import { Agent } from 'undici';
import { datasetOf } from '../../src/emulator/index.js';
import { sdkClient, sdkPermissionIds } from '../peers/openai-sdk.js';
import type { Target } from '../peers/target.js';
import { undiciPages } from '../peers/undici-loop.js';
import { startChildEmulator, type BenchEmulator } from '../support/bench-emulator.js';
import { checkpointNames, countsOf, pagesFor } from '../support/checkpoints.js';
import { runIfMain } from '../support/main.js';
import { promisePool } from '../support/promise-pool.js';
import type { Goal, ScenarioReport } from '../support/report.js';
import { median, round } from '../support/stats.js';
import type { Table } from '../support/table.js';
import { timed } from '../support/timing.js';
import { library } from '../support/library.js';
import type { Client } from '../../src/index.js';

const { auditPermissions$, createClient, permissions$ } = library;

const CHECKPOINTS = checkpointNames('fanout', 1_000);
/** Alternately 60 and 160 permissions: one page, then two, at limit 100. */
const PERMISSIONS = (i: number): number => (i % 2 === 0 ? 60 : 160);
const LIMIT = 100;
const LATENCY_MS = 20;
const CONCURRENCIES = [16, 32, 64] as const;
const REPETITIONS = 3;
const WARM_UP = 2;
const PAGES = CHECKPOINTS.reduce((sum, _, i) => sum + pagesFor(PERMISSIONS(i), LIMIT), 0);
const PERMISSION_TOTAL = CHECKPOINTS.reduce((sum, _, i) => sum + PERMISSIONS(i), 0);

/** One way to read every checkpoint at a concurrency; returns the permissions it read. */
interface Contender {
  readonly name: string;
  /** Whether it is our library, measured against the goal. */
  readonly ours: boolean;
  readonly read: (target: Target, concurrency: number) => Promise<number>;
}

/** A client sized for the concurrency: its limiter, not only the fan-out, allows that many. */
async function withClient<T>(
  target: Target,
  concurrency: number,
  body: (client: Client) => Promise<T>,
): Promise<T> {
  const client = createClient({
    apiKey: target.apiKey,
    baseURL: target.url,
    rateLimit: { maxConcurrency: concurrency },
  });
  try {
    return await body(client);
  } finally {
    await client.close();
  }
}

const CONTENDERS: readonly Contender[] = [
  {
    name: 'auditPermissions$ (ours)',
    ours: true,
    read: (target, concurrency) =>
      withClient(target, concurrency, async (client) => {
        // The last record is the summary; taking only it keeps the consumer's cost out of the figure.
        const last = await lastValueFrom(
          auditPermissions$(CHECKPOINTS, { client, concurrency, limit: LIMIT }),
        );
        return last.type === 'summary' ? last.permissions : NaN;
      }),
  },
  {
    name: 'mergeMap over permissions$ (ours)',
    ours: true,
    read: (target, concurrency) =>
      withClient(target, concurrency, (client) =>
        lastValueFrom(
          from(CHECKPOINTS).pipe(
            mergeMap(
              (checkpoint) => permissions$(checkpoint, { client, limit: LIMIT }),
              concurrency,
            ),
            reduce((permissions, page) => permissions + page.data.length, 0),
          ),
        ),
      ),
  },
  {
    name: 'openai SDK, promise pool',
    ours: false,
    read: async (target, concurrency) => {
      const sdk = sdkClient(target);
      const outcomes = await promisePool(CHECKPOINTS, concurrency, (checkpoint) =>
        sdkPermissionIds(sdk, checkpoint, LIMIT),
      );
      return outcomes.reduce((sum, o) => sum + (o.ok ? o.value.length : 0), 0);
    },
  },
  {
    name: 'undici loops, promise pool',
    ours: false,
    read: async (target, concurrency) => {
      const agent = new Agent({ keepAliveTimeout: 10_000 });
      try {
        await promisePool(CHECKPOINTS, concurrency, (checkpoint) =>
          undiciPages(target, checkpoint, LIMIT, agent),
        );
        return PERMISSION_TOTAL; // the loop checks statuses; it does not count items
      } finally {
        await agent.close();
      }
    },
  },
];

interface Measured {
  readonly contender: string;
  readonly ours: boolean;
  readonly concurrency: number;
  readonly wallMs: number[];
  readonly medianMs: number;
  /** Median CPU time of this process per run: near the wall time, the client is CPU-bound. */
  readonly cpuMs: number;
  /** Median CPU time of the emulator's process per run: near the wall time, the server limits. */
  readonly serverCpuMs: number;
  readonly idealMs: number;
  /** The most requests the emulator had in flight at once (the concurrency really reached). */
  readonly maxInFlight: number;
}

async function measure(emulator: BenchEmulator, concurrency: number): Promise<Measured[]> {
  const idealMs = (PAGES * LATENCY_MS) / concurrency;
  const wallMs = CONTENDERS.map(() => [] as number[]);
  const cpuMs = CONTENDERS.map(() => [] as number[]);
  const serverCpuMs = CONTENDERS.map(() => [] as number[]);
  const inFlight = CONTENDERS.map(() => 0);
  for (let r = 0; r < REPETITIONS; r++) {
    for (const [i, contender] of CONTENDERS.entries()) {
      await emulator.resetStats();
      const serverBefore = await emulator.cpuMs();
      const run = await timed(() => contender.read(emulator, concurrency));
      const permissions = run.value;
      const serverCpu = (await emulator.cpuMs()) - serverBefore;
      const stats = await emulator.stats();
      if (permissions !== PERMISSION_TOTAL || stats.permissionPagesServed !== PAGES) {
        throw new Error(
          `${contender.name} read ${permissions} permissions in ${stats.permissionPagesServed} pages; ` +
            `expected ${PERMISSION_TOTAL} in ${PAGES}`,
        );
      }
      wallMs[i]?.push(run.ms);
      cpuMs[i]?.push(run.cpuMs);
      serverCpuMs[i]?.push(serverCpu);
      inFlight[i] = Math.max(inFlight[i] ?? 0, stats.maxInFlight);
    }
  }
  return CONTENDERS.map((contender, i) => ({
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
  const emulator = await startChildEmulator({
    dataset: datasetOf(countsOf(CHECKPOINTS, PERMISSIONS)),
    latencyMs: LATENCY_MS,
  });
  const measured: Measured[] = [];
  try {
    // Warm-up, not timed: the JIT on both sides (the first runs are up to twice as slow).
    for (let r = 0; r < WARM_UP; r++) {
      for (const contender of CONTENDERS) await contender.read(emulator, CONCURRENCIES[0]);
    }
    for (const concurrency of CONCURRENCIES)
      measured.push(...(await measure(emulator, concurrency)));
  } finally {
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
      m.maxInFlight,
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
      'x undici pool: wall time against bare undici loops at the same concurrency, what this machine can do at all',
      'in flight: the most requests the emulator saw at once',
      'client CPU / server CPU: CPU time of this process / of the emulator process per run (median); near the wall time, that side is the bottleneck',
    ],
    raw: measured,
  };
}

await runIfMain(import.meta.url, run);

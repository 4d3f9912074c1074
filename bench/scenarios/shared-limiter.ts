/**
 * The shared limiter (issue 15): four processes audit 200 checkpoints together, each its own
 * quarter, against an emulator that allows 20 requests/s (`requestsPerMinute` 1200, burst 20).
 * With the Redis store they share one bucket and should use at least 0.9 of the allowed rate
 * with at most 2% of requests answered 429; with local limiters only, each paces to the whole
 * budget, and their 429 ratio shows what sharing saves. Overhead: Redis round trips per request
 * and the latency a store decision adds, median and p99. Fault run: Redis is killed in the middle
 * and restarted; the audit must still read every checkpoint exactly.
 *
 * Needs `redis-server` on PATH. Not part of `npm run bench` (nor CI): run it alone with
 * `npm run build && npx tsx bench/scenarios/shared-limiter.ts`.
 */
import { fileURLToPath } from 'node:url';
import { datasetOf } from '../../src/emulator/index.js';
import { startRedisServer, type RedisServer } from '../../spec/support/redis-server.js';
import { startChildEmulator, type BenchEmulator } from '../support/bench-emulator.js';
import { checkpointNames, countsOf, pagesFor } from '../support/checkpoints.js';
import { runIfMain } from '../support/main.js';
import type { Goal, ScenarioReport } from '../support/report.js';
import { median, round } from '../support/stats.js';
import { sleep, timed } from '../support/timing.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';
import type {
  SharedLimiterInput,
  SharedLimiterRun,
  SharedLimiterSetup,
} from '../workers/shared-limiter-worker.js';

const WORKER = fileURLToPath(new URL('../workers/shared-limiter-worker.ts', import.meta.url));
const PROCESSES = 4;
const REQUESTS_PER_MINUTE = 1_200;
const RATE = REQUESTS_PER_MINUTE / 60;
const BURST = Math.ceil(RATE);
const LATENCY_MS = 20;
const CHECKPOINTS = checkpointNames('shared', 200);
const PERMISSIONS = 25;
const LIMIT = 10;
const CONCURRENCY = 8;
const PAGES = CHECKPOINTS.length * pagesFor(PERMISSIONS, LIMIT);
/** The fault run: Redis dies this long into the audit, and comes back this long after. */
const KILL_AFTER_MS = 8_000;
const DOWN_FOR_MS = 3_000;
/** A timeout for a busy machine, where the default 50 ms takes slow answers for an outage. */
const SLOW_MACHINE_TIMEOUT_MS = 250;

interface Outcome {
  readonly run: string;
  readonly seconds: number;
  readonly pages: number;
  readonly requests: number;
  readonly rateLimited: number;
  readonly exact: boolean;
  readonly failed: number;
  readonly roundTrips: number;
  readonly decisions: number;
  readonly local: number;
  readonly decisionMs: number[];
  readonly warnings: string[];
}

function p99(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? 0;
}

async function measure(
  name: string,
  emulator: BenchEmulator,
  workers: readonly WorkerProcess<SharedLimiterRun, SharedLimiterInput>[],
  input: SharedLimiterInput,
  during: () => Promise<void> = async () => undefined,
): Promise<Outcome> {
  await emulator.setRateLimit({ requestsPerMinute: REQUESTS_PER_MINUTE }); // a full bucket
  await emulator.resetStats();
  const { value: runs, ms } = await timed(async () => {
    const [results] = await Promise.all([
      Promise.all(workers.map((worker) => worker.run(input))),
      during(),
    ]);
    return results;
  });
  const stats = await emulator.stats();
  const truth = (await emulator.truth()).permissions;
  const read: Record<string, string[]> = Object.assign({}, ...runs.map((run) => run.read));
  const exact = CHECKPOINTS.every((checkpoint) => {
    const want = (truth[checkpoint] ?? []).map((p) => p.id).sort();
    const got = [...(read[checkpoint] ?? [])].sort();
    return want.length === got.length && want.every((id, i) => id === got[i]);
  });
  const sum = (pick: (run: SharedLimiterRun) => number): number =>
    runs.reduce((total, run) => total + pick(run), 0);
  return {
    run: name,
    seconds: ms / 1000,
    pages: stats.permissionPagesServed,
    requests: stats.requests,
    rateLimited: stats.rateLimited,
    exact,
    failed: sum((run) => run.failed),
    roundTrips: sum((run) => run.roundTrips),
    decisions: sum((run) => run.decisions),
    local: sum((run) => run.local),
    decisionMs: runs.flatMap((run) => run.decisionMs),
    warnings: runs.flatMap((run) => run.warnings),
  };
}

export async function run(): Promise<ScenarioReport> {
  const redis: RedisServer = await startRedisServer();
  const emulator = await startChildEmulator({
    dataset: datasetOf(countsOf(CHECKPOINTS, () => PERMISSIONS)),
    latencyMs: LATENCY_MS,
    rateLimit: { requestsPerMinute: REQUESTS_PER_MINUTE },
  });
  const share = Math.ceil(CHECKPOINTS.length / PROCESSES);
  const workers = await Promise.all(
    Array.from({ length: PROCESSES }, (_, i) =>
      startWorkerProcess<SharedLimiterSetup, SharedLimiterRun, SharedLimiterInput>(WORKER, {
        baseURL: emulator.url,
        apiKey: emulator.apiKey,
        checkpoints: CHECKPOINTS.slice(i * share, (i + 1) * share),
        limit: LIMIT,
        concurrency: CONCURRENCY,
      }),
    ),
  );
  const outcomes: Outcome[] = [];
  try {
    const shared = { redisURL: redis.url };
    outcomes.push(await measure('shared (Redis store)', emulator, workers, shared));
    outcomes.push(await measure('local limiters only', emulator, workers, { redisURL: undefined }));
    outcomes.push(
      await measure('shared, Redis killed and restarted', emulator, workers, shared, async () => {
        await sleep(KILL_AFTER_MS);
        await redis.kill();
        await sleep(DOWN_FOR_MS);
        await redis.restart();
      }),
    );
    outcomes.push(
      await measure(`shared, timeout ${SLOW_MACHINE_TIMEOUT_MS} ms`, emulator, workers, {
        ...shared,
        timeout: SLOW_MACHINE_TIMEOUT_MS,
      }),
    );
  } finally {
    await Promise.all(workers.map((worker) => worker.close()));
    await emulator.close();
    await redis.stop();
  }

  const fraction = (o: Outcome): number => o.pages / (BURST + RATE * o.seconds);
  const ratio429 = (o: Outcome): number => o.rateLimited / o.requests;
  const rows = outcomes.map((o) => [
    o.run,
    round(o.seconds, 1),
    o.pages,
    round(fraction(o)),
    o.requests,
    o.rateLimited,
    `${round(100 * ratio429(o), 1)}%`,
    o.exact && o.failed === 0 ? 'yes' : `no (${o.failed} failed)`,
    o.decisions === 0 ? '-' : round(o.roundTrips / o.requests, 2),
    o.decisionMs.length === 0 ? '-' : round(median(o.decisionMs), 2),
    o.decisionMs.length === 0 ? '-' : round(p99(o.decisionMs), 2),
    o.local,
    o.warnings.join(' ') || '-',
  ]);
  const [shared, local, fault] = outcomes as [Outcome, Outcome, Outcome, Outcome];
  const goals: Goal[] = [
    {
      name: 'shared store throughput',
      target: `>= 0.9 of the allowed ${RATE} requests/s, in aggregate`,
      actual: `${round(fraction(shared))} of allowed`,
      met: fraction(shared) >= 0.9,
    },
    {
      name: 'shared store 429s',
      target: '<= 2% of requests',
      actual: `${round(100 * ratio429(shared), 1)}% (local limiters only: ${round(100 * ratio429(local), 1)}%)`,
      met: ratio429(shared) <= 0.02,
    },
    {
      name: 'shared store completeness',
      target: `every checkpoint exact (${PAGES} pages)`,
      actual: `${shared.pages} pages, ${shared.exact ? 'exact' : 'NOT exact'}, ${shared.failed} failed`,
      met: shared.exact && shared.failed === 0,
    },
    {
      name: 'Redis round trips per request',
      target: '1',
      actual: String(round(shared.roundTrips / shared.requests, 2)),
      met: shared.roundTrips / shared.requests <= 1.1,
    },
    {
      name: 'fault run: Redis killed and restarted mid-audit',
      target: 'audit completes exactly; one unavailable and one restored warning per process',
      actual: `${fault.exact ? 'exact' : 'NOT exact'}, ${fault.failed} failed, warnings: ${fault.warnings.join(' ')}`,
      met:
        fault.exact &&
        fault.failed === 0 &&
        fault.warnings.filter((w) => w === 'unavailable').length === PROCESSES &&
        fault.warnings.filter((w) => w === 'restored').length === PROCESSES,
    },
  ];
  return {
    scenario: 'shared-limiter',
    title: `Shared limiter: ${PROCESSES} processes, ${CHECKPOINTS.length} checkpoints, ${RATE} requests/s allowed`,
    setup: {
      processes: PROCESSES,
      requestsPerMinute: REQUESTS_PER_MINUTE,
      burst: BURST,
      latencyMs: LATENCY_MS,
      checkpoints: CHECKPOINTS.length,
      permissionsPerCheckpoint: PERMISSIONS,
      limit: LIMIT,
      concurrency: CONCURRENCY,
      killAfterMs: KILL_AFTER_MS,
      downForMs: DOWN_FOR_MS,
    },
    tables: [
      {
        title: 'Four processes, one key',
        columns: [
          'run',
          'seconds',
          'pages',
          'of allowed',
          'requests',
          '429s',
          '429 ratio',
          'exact',
          'Redis trips/request',
          'decision ms p50',
          'decision ms p99',
          'local decisions',
          'warnings',
        ],
        rows,
      },
    ],
    goals,
    notes: [
      `allowed = ${BURST} (burst) + ${RATE}/s × seconds; pages are 200 responses counted by the emulator`,
      'decision ms: the time from asking the store for a token to its answer, the latency sharing adds to a request (Redis on loopback)',
      'each run uses fresh clients, so each process slow-starts (one request until its first response)',
      "warnings outside the fault run's kill are decisions slower than the timeout (a busy machine): each sends that process to its local limiter for 250 ms (retryInterval)",
    ],
    raw: outcomes.map((o) => ({ ...o, decisionMs: undefined })),
  };
}

await runIfMain(import.meta.url, run);

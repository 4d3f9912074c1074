/**
 * Scenario 3, sustained throughput under a rate limit: the emulator allows 20 requests/s
 * (`requestsPerMinute` 1200, its default burst of 20) and there is work for ~25 s: 30 checkpoints
 * of 17 pages each. A good client converts nearly all of that budget into pages and almost never
 * hears a 429; it should not need the server to say no. Our audit runs with the library's
 * defaults (8 checkpoints and 8 requests at a time); the official SDK runs as peers.md measured
 * it, 8 concurrent `for await` loops over the same 30 checkpoints with its default retries, and
 * once more with retries enough to finish, to compare whole runs.
 *
 * "Allowed" counts the initial burst: in T seconds the server admits burst + R·T requests, so a
 * client that used every token scores 1.0.
 */
import { lastValueFrom, tap } from 'rxjs';
import { datasetOf } from '../../src/emulator/index.js';
import { sdkClient, sdkPermissionIds } from '../peers/openai-sdk.js';
import { startChildEmulator, type BenchEmulator } from '../support/bench-emulator.js';
import { checkpointNames, countsOf, pagesFor } from '../support/checkpoints.js';
import { runIfMain } from '../support/main.js';
import { promisePool } from '../support/promise-pool.js';
import type { Goal, ScenarioReport } from '../support/report.js';
import { round } from '../support/stats.js';
import { timed } from '../support/timing.js';
import { library } from '../support/library.js';

const { auditPermissions$, createClient } = library;

const REQUESTS_PER_MINUTE = 1_200;
const RATE = REQUESTS_PER_MINUTE / 60;
/** The emulator's default burst: one second's worth. */
const BURST = Math.ceil(RATE);
const LATENCY_MS = 20;
const CHECKPOINTS = checkpointNames('ratelimit', 30);
const PERMISSIONS = 1_650;
const LIMIT = 100;
const CONCURRENCY = 8;
const PAGES = CHECKPOINTS.length * pagesFor(PERMISSIONS, LIMIT);
/** A second SDK run with enough retries to finish, to compare its 429 ratio over a whole run. */
const SDK_MORE_RETRIES = 20;

interface Outcome {
  readonly contender: string;
  readonly wallMs: number;
  readonly requests: number;
  readonly pages: number;
  readonly rateLimited: number;
  readonly failedCheckpoints: number;
  /** Why checkpoints failed, e.g. `RateLimitError × 19`. */
  readonly failures: string;
}

async function measure(
  emulator: BenchEmulator,
  contender: string,
  read: () => Promise<{ failed: string[] }>,
): Promise<Outcome> {
  await emulator.setRateLimit({ requestsPerMinute: REQUESTS_PER_MINUTE }); // a full bucket
  await emulator.resetStats();
  const { value, ms } = await timed(read);
  const stats = await emulator.stats();
  const kinds = new Map<string, number>();
  for (const name of value.failed) kinds.set(name, (kinds.get(name) ?? 0) + 1);
  return {
    contender,
    wallMs: ms,
    requests: stats.requests,
    pages: stats.permissionPagesServed,
    rateLimited: stats.rateLimited,
    failedCheckpoints: value.failed.length,
    failures: [...kinds].map(([name, n]) => `${name} × ${n}`).join(', ') || 'none',
  };
}

async function readWithAudit(emulator: BenchEmulator): Promise<{ failed: string[] }> {
  const client = createClient({ adminAPIKey: emulator.apiKey, baseURL: emulator.url });
  const failed: string[] = [];
  try {
    await lastValueFrom(
      auditPermissions$(CHECKPOINTS, { client, concurrency: CONCURRENCY, limit: LIMIT }).pipe(
        // An error record is how the audit reports a checkpoint that failed.
        tap((record) => {
          if (record.type === 'error') failed.push((record.cause as Error).constructor.name);
        }),
      ),
    );
    return { failed };
  } finally {
    await client.close();
  }
}

export async function run(): Promise<ScenarioReport> {
  const emulator = await startChildEmulator({
    dataset: datasetOf(countsOf(CHECKPOINTS, () => PERMISSIONS)),
    latencyMs: LATENCY_MS,
    rateLimit: { requestsPerMinute: REQUESTS_PER_MINUTE },
  });
  const outcomes: Outcome[] = [];
  try {
    outcomes.push(
      await measure(emulator, 'auditPermissions$ (ours, defaults)', () => readWithAudit(emulator)),
    );
    for (const maxRetries of [undefined, SDK_MORE_RETRIES]) {
      const name = `openai SDK, 8 for-await loops, maxRetries ${maxRetries ?? '2 (default)'}`;
      const sdk = sdkClient(emulator, maxRetries === undefined ? {} : { maxRetries });
      outcomes.push(
        await measure(emulator, name, async () => {
          const results = await promisePool(CHECKPOINTS, CONCURRENCY, (checkpoint) =>
            sdkPermissionIds(sdk, checkpoint, LIMIT),
          );
          return {
            failed: results.flatMap((r) =>
              r.ok ? [] : [(r.error as Error | undefined)?.constructor.name ?? 'Error'],
            ),
          };
        }),
      );
    }
  } finally {
    await emulator.close();
  }

  const rows = outcomes.map((o) => {
    const seconds = o.wallMs / 1000;
    return [
      o.contender,
      round(seconds, 1),
      o.pages,
      round(o.pages / seconds, 1),
      round(o.pages / (BURST + RATE * seconds)),
      o.requests,
      o.rateLimited,
      `${round((100 * o.rateLimited) / o.requests, 1)}%`,
      `${o.failedCheckpoints}/${CHECKPOINTS.length}`,
    ];
  });
  const ours = outcomes[0] as Outcome;
  const oursFraction = ours.pages / (BURST + (RATE * ours.wallMs) / 1000);
  const ours429 = ours.rateLimited / ours.requests;
  const goals: Goal[] = [
    {
      name: 'auditPermissions$ throughput',
      target: `>= 0.9 of the allowed ${RATE} requests/s`,
      actual: `${round(oursFraction)} of allowed`,
      met: oursFraction >= 0.9,
    },
    {
      name: 'auditPermissions$ 429s',
      target: '<= 2% of requests',
      actual: `${round(100 * ours429, 1)}%`,
      met: ours429 <= 0.02,
    },
    {
      name: 'auditPermissions$ completeness',
      target: `every checkpoint (${PAGES} pages)`,
      actual: `${ours.pages} pages, ${ours.failedCheckpoints} failed`,
      met: ours.pages === PAGES && ours.failedCheckpoints === 0,
    },
  ];
  return {
    scenario: 'rate-limit',
    title: `3. Rate limit: ${RATE} requests/s allowed, ${CHECKPOINTS.length} checkpoints × ${PAGES / CHECKPOINTS.length} pages`,
    setup: {
      requestsPerMinute: REQUESTS_PER_MINUTE,
      burst: BURST,
      latencyMs: LATENCY_MS,
      checkpoints: CHECKPOINTS.length,
      permissionsPerCheckpoint: PERMISSIONS,
      limit: LIMIT,
      concurrency: CONCURRENCY,
    },
    tables: [
      {
        title: 'Sustained throughput',
        columns: [
          'contender',
          'seconds',
          'pages',
          'pages/s',
          'of allowed',
          'requests',
          '429s',
          '429 ratio',
          'failed',
        ],
        rows,
      },
    ],
    goals,
    notes: [
      `allowed = ${BURST} (burst) + ${RATE}/s × seconds; pages are 200 responses counted by the emulator`,
      `failures: ${outcomes.map((o) => `${o.contender}: ${o.failures}`).join('; ')}`,
    ],
    raw: outcomes,
  };
}

await runIfMain(import.meta.url, run);

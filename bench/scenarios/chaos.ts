/**
 * Scenario 5, chaos: 20% of requests fail (`chaosEverywhere(0.2)`: 500s, HTML 502s, 503s,
 * connection resets and truncated bodies in equal shares) while an audit reads 300 checkpoints
 * of 0 to 450 permissions. What must hold: every permission of the emulator's ground truth read
 * exactly once (100% completeness), and no more requests than one retry per fault, since only a
 * failed page request is ever sent again. The official SDK, on its defaults, reads the same
 * checkpoints for comparison.
 */
import { lastValueFrom, tap } from 'rxjs';
import { chaosEverywhere, datasetOf, type EmulatorStats } from '../../src/emulator/index.js';
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

const CHECKPOINTS = checkpointNames('chaos', 300);
/** 0 to 450 permissions, spread evenly: 1 to 5 pages, empty checkpoints included. */
const PERMISSIONS = (i: number): number => (i * 37) % 451;
const LIMIT = 100;
const CONCURRENCY = 8;
const FAULT_PROBABILITY = 0.2;
const PAGES = CHECKPOINTS.reduce((sum, _, i) => sum + pagesFor(PERMISSIONS(i), LIMIT), 0);

/** The ids each checkpoint yielded (`undefined`: the checkpoint failed), and why some failed. */
interface Read {
  readonly ids: ReadonlyMap<string, readonly string[]>;
  readonly failures: readonly string[];
}

interface Outcome {
  readonly contender: string;
  readonly seconds: number;
  /** Checkpoints whose ids equal the truth exactly (same ids, once each). */
  readonly complete: number;
  readonly permissionsRead: number;
  readonly stats: EmulatorStats;
  readonly failures: string;
}

async function readWithAudit(emulator: BenchEmulator): Promise<Read> {
  const client = createClient({ adminAPIKey: emulator.apiKey, baseURL: emulator.url });
  const ids = new Map<string, string[]>();
  const failures: string[] = [];
  try {
    await lastValueFrom(
      auditPermissions$(CHECKPOINTS, { client, concurrency: CONCURRENCY, limit: LIMIT }).pipe(
        tap((record) => {
          if (record.type === 'permission') {
            const list = ids.get(record.checkpoint) ?? [];
            list.push(record.id);
            ids.set(record.checkpoint, list);
          }
          if (record.type === 'checkpoint' && !ids.has(record.checkpoint))
            ids.set(record.checkpoint, []);
          if (record.type === 'error') failures.push((record.cause as Error).constructor.name);
        }),
      ),
    );
    return { ids, failures };
  } finally {
    await client.close();
  }
}

async function readWithSdk(emulator: BenchEmulator): Promise<Read> {
  const sdk = sdkClient(emulator);
  const outcomes = await promisePool(CHECKPOINTS, CONCURRENCY, (checkpoint) =>
    sdkPermissionIds(sdk, checkpoint, LIMIT),
  );
  const ids = new Map<string, string[]>();
  const failures: string[] = [];
  outcomes.forEach((outcome, i) => {
    if (outcome.ok) ids.set(CHECKPOINTS[i] as string, outcome.value);
    else failures.push((outcome.error as Error).constructor.name);
  });
  return { ids, failures };
}

async function measure(
  emulator: BenchEmulator,
  contender: string,
  read: (emulator: BenchEmulator) => Promise<Read>,
): Promise<Outcome> {
  await emulator.setChaos(chaosEverywhere(FAULT_PROBABILITY)); // restarts the chaos PRNG
  await emulator.resetStats();
  const { value, ms } = await timed(() => read(emulator));
  await emulator.setChaos({});
  const stats = await emulator.stats();
  const truth = (await emulator.truth()).permissions;
  let complete = 0;
  let permissionsRead = 0;
  for (const checkpoint of CHECKPOINTS) {
    const expected = (truth[checkpoint] ?? []).map((p) => p.id).sort();
    const seen = [...(value.ids.get(checkpoint) ?? ['(failed)'])].sort();
    permissionsRead += value.ids.get(checkpoint)?.length ?? 0;
    if (seen.length === expected.length && seen.every((id, j) => id === expected[j])) complete++;
  }
  const kinds = new Map<string, number>();
  for (const name of value.failures) kinds.set(name, (kinds.get(name) ?? 0) + 1);
  return {
    contender,
    seconds: ms / 1000,
    complete,
    permissionsRead,
    stats,
    failures: [...kinds].map(([name, n]) => `${name} × ${n}`).join(', ') || 'none',
  };
}

export async function run(): Promise<ScenarioReport> {
  const emulator = await startChildEmulator({
    dataset: datasetOf(countsOf(CHECKPOINTS, PERMISSIONS)),
  });
  const outcomes: Outcome[] = [];
  try {
    outcomes.push(await measure(emulator, 'auditPermissions$ (ours, defaults)', readWithAudit));
    outcomes.push(await measure(emulator, 'openai SDK, 8 for-await loops', readWithSdk));
  } finally {
    await emulator.close();
  }
  const total = CHECKPOINTS.reduce((sum, _, i) => sum + PERMISSIONS(i), 0);
  const ours = outcomes[0] as Outcome;
  const extra = ours.stats.requests - PAGES;
  const goals: Goal[] = [
    {
      name: 'completeness under 20% faults',
      target: '100% (every permission once)',
      actual: `${round((100 * ours.complete) / CHECKPOINTS.length, 1)}% of checkpoints exact`,
      met: ours.complete === CHECKPOINTS.length,
    },
    {
      name: 'extra requests',
      target: '<= faults (only failed requests are resent)',
      actual: `${extra} extra for ${ours.stats.faults} faults`,
      met: extra <= ours.stats.faults,
    },
  ];
  return {
    scenario: 'chaos',
    title: `5. Chaos: ${FAULT_PROBABILITY * 100}% of requests fault, ${CHECKPOINTS.length} checkpoints, ${PAGES} pages`,
    setup: {
      checkpoints: CHECKPOINTS.length,
      permissions: total,
      pages: PAGES,
      limit: LIMIT,
      concurrency: CONCURRENCY,
      chaos: chaosEverywhere(FAULT_PROBABILITY),
    },
    tables: [
      {
        title: 'Completeness and requests',
        columns: [
          'contender',
          'seconds',
          'exact checkpoints',
          'permissions read',
          'requests',
          'faults',
          'extra requests',
          'failed',
        ],
        rows: outcomes.map((o) => [
          o.contender,
          round(o.seconds, 1),
          `${o.complete}/${CHECKPOINTS.length}`,
          `${o.permissionsRead}/${total}`,
          o.stats.requests,
          o.stats.faults,
          o.stats.requests - o.stats.permissionPagesServed,
          o.failures,
        ]),
      },
    ],
    goals,
    notes: [
      `pages needed: ${PAGES}; extra requests = requests − pages served; faults are the emulator's count`,
      'faults by kind (ours): ' +
        Object.entries(ours.stats.byStatus)
          .filter(([status]) => status !== '200')
          .map(([status, n]) => `${status}: ${n}`)
          .join(', '),
    ],
    raw: outcomes,
  };
}

await runIfMain(import.meta.url, run);

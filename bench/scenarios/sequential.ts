/**
 * Scenario 1, sequential paging: one checkpoint with 100,000 permissions read at `limit` 100,
 * so 1,000 pages one after another. What it measures is per-page overhead, CPU-bound on
 * loopback: request building, the limiter, parsing and checking the JSON, the Observable
 * plumbing. Contenders: `permissions$`, `permissionPages` (our pull iterator), a bare undici
 * `request()` loop (the practical limit), the official SDK's `for await`, and Node's `fetch`.
 *
 * The emulator runs in a child process for the headline figures: serving a page costs about as
 * much CPU as reading it, and in-process the two would take turns on one event loop, so every
 * contender's figure would be half the server's. A second, in-process pass is printed for
 * comparison with measurements taken that way (such as the SDK figures in peers.md).
 */
import { count, lastValueFrom } from 'rxjs';
import { Agent } from 'undici';
import { datasetOf } from '../../src/emulator/index.js';
import { fetchPages } from '../peers/fetch-loop.js';
import { sdkClient, sdkPermissionIds } from '../peers/openai-sdk.js';
import type { Target } from '../peers/target.js';
import { undiciPages } from '../peers/undici-loop.js';
import {
  startChildEmulator,
  startInProcessEmulator,
  type BenchEmulator,
} from '../support/bench-emulator.js';
import { runIfMain } from '../support/main.js';
import type { Goal, ScenarioReport } from '../support/report.js';
import { median, round } from '../support/stats.js';
import type { Table } from '../support/table.js';
import { timed } from '../support/timing.js';
import { library } from '../support/library.js';

const { createClient, permissionPages, permissions$ } = library;

const CHECKPOINT = 'ft:gpt-4o-mini-2024-07-18:acme:bench:XyZ12345:ckpt-step-1';
const PERMISSIONS = 100_000;
const LIMIT = 100;
const PAGES = PERMISSIONS / LIMIT;
/** Timed runs per contender, after the warm-up runs; the median is reported. */
const REPETITIONS = 7;
/** The first runs are up to twice as slow while the JIT of both processes warms up. */
const WARM_UP = 2;

/** One way of reading every page of the checkpoint; returns the pages it read. */
interface Contender {
  readonly name: string;
  readonly read: () => Promise<number>;
  readonly close: () => Promise<void>;
}

function contenders(target: Target): Contender[] {
  const client = createClient({ apiKey: target.apiKey, baseURL: target.url });
  const agent = new Agent({ keepAliveTimeout: 10_000 });
  const sdk = sdkClient(target);
  const noop = async (): Promise<void> => {};
  return [
    {
      name: 'undici request() loop',
      read: () => undiciPages(target, CHECKPOINT, LIMIT, agent),
      close: () => agent.close(),
    },
    {
      name: 'permissions$ (ours)',
      read: () => lastValueFrom(permissions$(CHECKPOINT, { client, limit: LIMIT }).pipe(count())),
      close: () => client.close(),
    },
    {
      name: 'permissionPages (ours, pull)',
      read: async () => {
        let pages = 0;
        for await (const _page of permissionPages(CHECKPOINT, { client, limit: LIMIT })) pages++;
        return pages;
      },
      close: noop,
    },
    {
      name: 'openai SDK for await',
      read: async () => (await sdkPermissionIds(sdk, CHECKPOINT, LIMIT)).length / LIMIT,
      close: noop,
    },
    { name: 'fetch loop', read: () => fetchPages(target, CHECKPOINT, LIMIT), close: noop },
  ];
}

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
 * Warms every contender up (JIT, keep-alive connections), then times them in rotation
 * (A B C D E, A B C D E, ...) so that drift in the machine's speed spreads over all of them.
 */
async function measure(emulator: BenchEmulator): Promise<Measured[]> {
  const all = contenders(emulator);
  try {
    for (let r = 0; r < WARM_UP; r++) for (const contender of all) await readAll(contender);
    const runs = all.map(() => [] as number[]);
    const cpu = all.map(() => [] as number[]);
    const serverCpu = all.map(() => [] as number[]);
    for (let r = 0; r < REPETITIONS; r++) {
      for (const [i, contender] of all.entries()) {
        const serverBefore = await emulator.cpuMs();
        const { ms, cpuMs } = await timed(() => readAll(contender));
        const serverMs = (await emulator.cpuMs()) - serverBefore;
        runs[i]?.push((PAGES / ms) * 1000);
        cpu[i]?.push((cpuMs * 1000) / PAGES);
        serverCpu[i]?.push((serverMs * 1000) / PAGES);
      }
    }
    return all.map((c, i) => ({
      name: c.name,
      runs: runs[i] ?? [],
      median: median(runs[i] ?? []),
      cpuPerPage: median(cpu[i] ?? []),
      serverCpuPerPage: median(serverCpu[i] ?? []),
    }));
  } finally {
    for (const contender of all) await contender.close();
  }
}

async function readAll(contender: Contender): Promise<void> {
  const pages = await contender.read();
  if (pages !== PAGES) throw new Error(`${contender.name} read ${pages} pages, not ${PAGES}`);
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
  const options = { dataset: datasetOf({ [CHECKPOINT]: PERMISSIONS }) };
  const measuredIn = async (start: typeof startChildEmulator): Promise<Measured[]> => {
    const emulator = await start(options);
    try {
      return await measure(emulator);
    } finally {
      await emulator.close();
    }
  };
  const child = await measuredIn(startChildEmulator);
  const inProcess = await measuredIn(startInProcessEmulator);

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
      `pages/s: median of ${REPETITIONS} timed runs per contender after ${WARM_UP} warm-up runs, in rotation; worst and best runs beside it`,
      'client / server CPU µs/page: user + system CPU of the client / emulator process per page (median); in process, the client figure includes the server',
    ],
    raw: { child, inProcess },
  };
}

await runIfMain(import.meta.url, run);

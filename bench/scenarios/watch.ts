/**
 * Scenario "watch", the change feed of `permissionChanges$` (not part of `npm run bench`; run it
 * alone: `npm run build && npx tsx bench/scenarios/watch.ts`):
 * 1. Detection latency: a colleague grants (`emulator.grant`) at random moments; the time from
 *    the grant to its `granted` change, against the poll interval. A poll finds a change at most
 *    one interval after it, plus one request.
 * 2. Requests per quiet poll: nothing changes for 50 polls; the emulator counts what they cost.
 * 3. Memory: 10,000 changes (grants and revocations in turn) over 10,000 checkpoints, in virtual
 *    time against a stub client, heap measured after a forced GC every 1,000 changes. The state
 *    is the live permissions plus one overlap window of event ids, so it should stay flat.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Observable } from 'rxjs';
import { EMPTY, of, VirtualTimeScheduler } from 'rxjs';
import { seedOrganization, startEmulator } from '../../src/emulator/index.js';
import type { Client } from '../../src/client/create-client.js';
import type { RequestSpec } from '../../src/internal/http/send-request.js';
import { library } from '../support/library.js';
import { runIfMain } from '../support/main.js';
import type { Goal, ScenarioReport } from '../support/report.js';
import { median, mib, round } from '../support/stats.js';
import { sleep } from '../support/timing.js';

const { permissionChanges$, createClient } = library;

const INTERVALS = [100, 250, 500];
const GRANTS_PER_INTERVAL = 8;
const QUIET_POLLS = 50;
const QUIET_INTERVAL = 20;
const CHECKPOINTS = 10_000;
const EVENTS = 10_000;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

async function latency(interval: number): Promise<number[]> {
  const emulator = await startEmulator({ dataset: seedOrganization({ seed: 11, jobs: 2 }) });
  const client = createClient({ adminAPIKey: emulator.adminKey, baseURL: emulator.url });
  try {
    const truth = emulator.truth();
    const checkpoint = Object.keys(truth.permissions)[0]!;
    const candidates = truth.projects
      .map((p) => p.id)
      .filter((id) => id !== truth.owners[checkpoint]);
    const seenAt = new Map<string, number>();
    let synced = false;
    const subscription = permissionChanges$([checkpoint], { client, interval }).subscribe(
      (change) => {
        if (change.type === 'synced') synced = true;
        if (change.type === 'granted') seenAt.set(change.permission_id, performance.now());
      },
    );
    while (!synced) await sleep(5);
    const delays: number[] = [];
    for (const project of candidates.slice(0, GRANTS_PER_INTERVAL)) {
      await sleep(Math.random() * interval);
      const existing = emulator
        .truth()
        .permissions[checkpoint]!.find((p) => p.project_id === project);
      if (existing) emulator.revoke(checkpoint, existing.id);
      const grantedAt = performance.now();
      const { id } = emulator.grant(checkpoint, project);
      while (!seenAt.has(id)) await sleep(1);
      delays.push(seenAt.get(id)! - grantedAt);
    }
    subscription.unsubscribe();
    return delays;
  } finally {
    await client.close();
    await emulator.close();
  }
}

async function quietPolls(): Promise<{ polls: number; requests: number }> {
  const emulator = await startEmulator({ dataset: seedOrganization({ seed: 11, jobs: 2 }) });
  const client = createClient({ adminAPIKey: emulator.adminKey, baseURL: emulator.url });
  try {
    const checkpoints = Object.keys(emulator.truth().permissions);
    let polls = 0;
    let synced = false;
    let before = 0;
    const subscription = permissionChanges$(checkpoints, {
      client,
      interval: QUIET_INTERVAL,
      onPoll: () => polls++,
    }).subscribe((change) => {
      if (change.type !== 'synced') return;
      synced = true;
      before = client.metrics().requests;
      polls = 0;
    });
    while (!synced || polls < QUIET_POLLS) await sleep(5);
    subscription.unsubscribe();
    return { polls, requests: client.metrics().requests - before };
  } finally {
    await client.close();
    await emulator.close();
  }
}

/** A client answering from memory at once: the permission lists and an audit log that grows. */
function stubClient(log: Array<Record<string, unknown> & { effective_at: number }>): Client {
  const request$ = <T>(spec: RequestSpec<T>): Observable<T> => {
    if (spec.path === '/organization/audit_logs') {
      const gte = (spec.query?.effective_at as { gte: number }).gte;
      const data: unknown[] = [];
      for (let i = log.length - 1; i >= 0 && log[i]!.effective_at >= gte; i--) data.push(log[i]);
      return of(spec.parse({ object: 'list', data, has_more: false }, undefined));
    }
    const n = /ckpt-(\d+)/.exec(decodeURIComponent(spec.path))![1];
    const data = [
      {
        object: 'checkpoint.permission',
        id: `cp_seed${n}`,
        created_at: 0,
        project_id: 'proj_seed',
      },
    ];
    return of(
      spec.parse(
        { object: 'list', data, has_more: false, first_id: null, last_id: null },
        undefined,
      ),
    );
  };
  const metrics = { requests: 0, retries: 0, rateLimited: 0, waitedMs: 0 };
  return {
    baseURL: 'http://stub/v1',
    events$: EMPTY,
    request$,
    metrics: () => metrics,
  } as unknown as Client;
}

async function memory(): Promise<Array<[number, number, number]>> {
  const scheduler = new VirtualTimeScheduler(undefined, Infinity);
  const checkpoints = Array.from({ length: CHECKPOINTS }, (_, i) => `ft:bench:ckpt-${i}`);
  const log: Array<Record<string, unknown> & { effective_at: number }> = [];
  let changes = 0;
  let permissions = 0;
  const subscription = permissionChanges$(checkpoints, {
    client: stubClient(log),
    interval: 60_000,
    scheduler,
    onState: (state) => (permissions = Object.keys(state.permissions).length),
  }).subscribe((change) => {
    if (change.type === 'granted' || change.type === 'revoked') changes++;
  });
  const samples: Array<[number, number, number]> = [];
  // One change per virtual second: a grant, then its revocation, round the checkpoints.
  for (let i = 0; i < EVENTS; i++) {
    const second = i + 1;
    const checkpoint = checkpoints[Math.floor(i / 2) % CHECKPOINTS]!;
    const id = `cp_new${Math.floor(i / 2)}`;
    log.push(
      i % 2 === 0
        ? {
            id: `audit_log-${i}`,
            type: 'checkpoint.permission.created',
            effective_at: second,
            'checkpoint.permission.created': {
              id,
              data: { project_id: 'proj_rogue', fine_tuned_model_checkpoint: checkpoint },
            },
          }
        : {
            id: `audit_log-${i}`,
            type: 'checkpoint.permission.deleted',
            effective_at: second,
            'checkpoint.permission.deleted': { id },
          },
    );
    scheduler.maxFrames = second * 1000;
    scheduler.flush();
    // The log itself is the server's: keep only what the overlap window can still read.
    while (log.length > 0 && log[0]!.effective_at < second - 120) log.shift();
    if ((i + 1) % 1000 === 0) {
      await sleep(0);
      gc();
      samples.push([i + 1, changes, mib(process.memoryUsage().heapUsed)]);
    }
  }
  subscription.unsubscribe();
  void permissions;
  return samples;
}

export async function run(): Promise<ScenarioReport> {
  const latencyRows: Array<[number, number, number, number]> = [];
  for (const interval of INTERVALS) {
    const delays = await latency(interval);
    latencyRows.push([
      interval,
      round(median(delays), 0),
      round(Math.max(...delays), 0),
      round(Math.max(...delays) / interval, 2),
    ]);
  }
  const quiet = await quietPolls();
  const perPoll = round(quiet.requests / quiet.polls, 2);
  const samples = await memory();
  const growth = round(samples.at(-1)![2] - samples[0]![2], 1);
  const goals: Goal[] = [
    {
      name: 'detection latency',
      target: '<= 1 interval + one request',
      actual: latencyRows.map(([i, , max]) => `max ${max} ms at ${i} ms`).join(', '),
      met: latencyRows.every(([interval, , max]) => max <= interval + 50),
    },
    { name: 'requests per quiet poll', target: '1', actual: String(perPoll), met: perPoll <= 1 },
    {
      name: 'memory over 10,000 changes at 10,000 checkpoints',
      target: 'flat (< 5 MiB growth from 1,000 to 10,000 changes)',
      actual: `${growth} MiB`,
      met: growth < 5,
    },
  ];
  return {
    scenario: 'watch',
    title: 'Watch: the audit-log change feed',
    setup: { INTERVALS, GRANTS_PER_INTERVAL, QUIET_POLLS, QUIET_INTERVAL, CHECKPOINTS, EVENTS },
    tables: [
      {
        title: 'Detection latency (grant to `granted` change)',
        columns: ['interval ms', 'median ms', 'max ms', 'max / interval'],
        rows: latencyRows,
      },
      {
        title: 'Quiet polls',
        columns: ['polls', 'requests', 'requests per poll'],
        rows: [[quiet.polls, quiet.requests, perPoll]],
      },
      {
        title: 'Heap after GC (virtual time, stub client)',
        columns: ['log events', 'changes reported', 'heap MiB'],
        rows: samples,
      },
    ],
    goals,
    notes: [
      'Latency includes one poll request to a loopback emulator; grants land at random moments within an interval.',
      'The memory run is in virtual time against a stub client that answers from memory, so it measures the feed, not sockets.',
    ],
  };
}

await runIfMain(import.meta.url, run);

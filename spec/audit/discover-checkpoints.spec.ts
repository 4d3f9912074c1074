import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allCheckpoints$, discoverCheckpoints$ } from '../../src/audit/discover-checkpoints.js';
import type {
  DiscoveredCheckpoint,
  DiscoveryCoverage,
  DiscoveryEvent,
} from '../../src/audit/discovery-event.js';
import { createClientIn, type Client } from '../../src/client/create-client.js';
import type { ClientOptions } from '../../src/client/client-options.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { APIUserAbortError, ConfigError } from '../../src/errors.js';

let emulator: Emulator;

beforeAll(async () => {
  // Seed 7: some checkpoints of the project without a key are granted only before the log began
  // (undiscoverable), another has a logged grant (found through the log alone).
  emulator = await startEmulator({ seed: 7 });
});
afterAll(async () => {
  await emulator.close();
});

function clientWith(options: ClientOptions): Client {
  return createClientIn({ baseURL: emulator.url, maxRetries: 0, ...options }, {});
}

async function discover(options: ClientOptions): Promise<{
  found: DiscoveredCheckpoint[];
  coverage: DiscoveryCoverage;
  events: DiscoveryEvent[];
}> {
  await using client = clientWith(options);
  const events = await lastValueFrom(discoverCheckpoints$({ client, limit: 7 }).pipe(toArray()));
  const found = events.filter((e): e is DiscoveredCheckpoint => e.type === 'checkpoint');
  const coverage = events.filter((e): e is DiscoveryCoverage => e.type === 'coverage');
  expect(coverage).toHaveLength(1);
  expect(events.at(-1)).toBe(coverage[0]);
  // Each checkpoint once, whichever path found it first.
  expect(new Set(found.map((e) => e.checkpoint)).size).toBe(found.length);
  return { found, coverage: coverage[0]!, events };
}

/** What the ground truth says each path can see. */
function discoverable(projectsWithKey: readonly string[]): {
  fromLog: Set<string>;
  fromJobs: Set<string>;
  oldest: number | null;
  all: Set<string>;
} {
  const truth = emulator.truth();
  const created = truth.auditLog.filter((e) => e.type === 'checkpoint.permission.created');
  const fromLog = new Set(
    created.map((e) => e['checkpoint.permission.created']!.data.fine_tuned_model_checkpoint),
  );
  const keyed = new Set(projectsWithKey);
  const fromJobs = new Set(
    truth.checkpoints
      .filter((c) => keyed.has(truth.jobOwners[c.fine_tuning_job_id]!))
      .map((c) => c.fine_tuned_model_checkpoint),
  );
  const oldest = created.length === 0 ? null : Math.min(...created.map((e) => e.effective_at));
  return {
    fromLog,
    fromJobs,
    oldest,
    all: new Set(truth.checkpoints.map((c) => c.fine_tuned_model_checkpoint)),
  };
}

const names = (found: readonly DiscoveredCheckpoint[]): string[] =>
  found.map((e) => e.checkpoint).sort();
const refs = (ids: readonly string[]) => {
  const byId = new Map(emulator.truth().projects.map((p) => [p.id, p]));
  return ids.map((id) => {
    const p = byId.get(id)!;
    return { id, name: p.name ?? null, status: p.status ?? null };
  });
};

describe('discoverCheckpoints$ against the emulator’s organization', () => {
  it('finds exactly what the audit log and the keyed projects’ jobs can see, and names what they cannot', async () => {
    const truth = emulator.truth();
    const { found, coverage } = await discover({
      adminAPIKey: emulator.adminKey,
      projectKeys: emulator.projectKeys,
    });
    const withKey = Object.keys(emulator.projectKeys);
    const expected = discoverable(withKey);
    expect(names(found)).toEqual([...new Set([...expected.fromLog, ...expected.fromJobs])].sort());
    // The organization is one where discovery cannot see everything: some checkpoints of a
    // project without a key have no grant in the log.
    expect(found.length).toBeLessThan(expected.all.size);
    for (const e of found) {
      expect(e.via === 'audit-log' ? expected.fromLog : expected.fromJobs).toContain(e.checkpoint);
    }
    expect(coverage).toEqual({
      type: 'coverage',
      projects: refs(truth.projects.map((p) => p.id)),
      projectsWithoutKey: refs(
        truth.projects.map((p) => p.id).filter((id) => !withKey.includes(id)),
      ),
      projectsFailed: [],
      apiKeyUsed: false,
      auditLogOldest: expected.oldest,
      sourcesFailed: [],
    });
    // The log starts after some grants: what it reaches back to is no earlier than logging began.
    expect(coverage.auditLogOldest).toBeGreaterThanOrEqual(truth.auditLogSince!);
    expect(coverage.projects.some((p) => p.status === 'archived')).toBe(true);
    // What was missed is owned by projects the coverage names as without a key.
    const missed = [...expected.all].filter((c) => !found.some((e) => e.checkpoint === c));
    const keyless = new Set(coverage.projectsWithoutKey.map((p) => p.id));
    for (const checkpoint of missed) expect(keyless).toContain(truth.owners[checkpoint]);
    // …and a checkpoint of a keyless project is still found when a grant of it is logged.
    expect(found.some((e) => keyless.has(truth.owners[e.checkpoint]!))).toBe(true);
  });

  it('with only an admin key: the audit log alone, and every project lacks a key', async () => {
    const truth = emulator.truth();
    const { found, coverage } = await discover({ adminAPIKey: emulator.adminKey });
    const expected = discoverable([]);
    expect(names(found)).toEqual([...expected.fromLog].sort());
    expect(found.every((e) => e.via === 'audit-log')).toBe(true);
    expect(coverage.projectsWithoutKey).toEqual(refs(truth.projects.map((p) => p.id)));
    expect(coverage).toMatchObject({ projectsFailed: [], sourcesFailed: [], apiKeyUsed: false });
  });

  it('with only a project key: its project’s jobs, and the log and projects reported unread', async () => {
    const [project, key] = Object.entries(emulator.projectKeys)[0]!;
    const { found, coverage } = await discover({ apiKey: key });
    expect(names(found)).toEqual([...discoverable([project]).fromJobs].sort());
    expect(found.every((e) => e.via === 'jobs')).toBe(true);
    expect(coverage).toMatchObject({
      projects: [],
      projectsWithoutKey: [],
      projectsFailed: [],
      apiKeyUsed: true,
      auditLogOldest: null,
    });
    expect(coverage.sourcesFailed.map((f) => [f.source, f.error.type])).toEqual(
      expect.arrayContaining([
        ['audit-log', 'ConfigError'],
        ['projects', 'ConfigError'],
      ]),
    );
    expect(coverage.sourcesFailed).toHaveLength(2);
    expect(coverage.sourcesFailed[0]!.error.message).toContain('OPENAI_ADMIN_KEY');
  });

  it('a project whose listing fails is reported with its error; the others carry on', async () => {
    const truth = emulator.truth();
    const [broken, ...rest] = Object.keys(emulator.projectKeys);
    const projectKeys = { ...emulator.projectKeys, [broken!]: 'sk-proj-revoked-0123456789abcdef' };
    const { found, coverage } = await discover({ adminAPIKey: emulator.adminKey, projectKeys });
    const expected = discoverable(rest);
    expect(names(found)).toEqual([...new Set([...expected.fromLog, ...expected.fromJobs])].sort());
    const name = truth.projects.find((p) => p.id === broken)!.name ?? null;
    expect(coverage.projectsFailed).toEqual([
      { id: broken, name, error: expect.objectContaining({ status: 401 }) as unknown },
    ]);
    expect(JSON.stringify(coverage)).not.toContain('sk-proj-revoked-0123456789abcdef');
  });

  it('the apiKey’s project, unknown, is read besides projectKeys, its checkpoints counted once', async () => {
    const [project, key] = Object.entries(emulator.projectKeys)[1]!;
    const { found, coverage } = await discover({
      adminAPIKey: emulator.adminKey,
      apiKey: key,
      projectKeys: emulator.projectKeys,
    });
    const expected = discoverable(Object.keys(emulator.projectKeys));
    expect(names(found)).toEqual([...new Set([...expected.fromLog, ...expected.fromJobs])].sort());
    expect(discoverable([project]).fromJobs.size).toBeGreaterThan(0);
    expect(coverage.apiKeyUsed).toBe(true);
  });

  it('without an admin key or a project key: a ConfigError, nothing sent', async () => {
    const before = emulator.stats().requests;
    await using client = clientWith({ projectKeys: emulator.projectKeys });
    await expect(lastValueFrom(discoverCheckpoints$({ client }))).rejects.toBeInstanceOf(
      ConfigError,
    );
    expect(emulator.stats().requests).toBe(before);
  });
});

describe('aborting discovery', () => {
  it('ends with APIUserAbortError when the signal fires mid-request, no failure recorded as coverage', async () => {
    emulator.setLatency(10_000);
    try {
      await using client = clientWith({
        adminAPIKey: emulator.adminKey,
        projectKeys: emulator.projectKeys,
      });
      const controller = new AbortController();
      const events: DiscoveryEvent[] = [];
      const done = new Promise<unknown>((resolve) => {
        discoverCheckpoints$({ client, signal: controller.signal }).subscribe({
          next: (event) => events.push(event),
          error: resolve,
          complete: () => resolve(undefined),
        });
      });
      while (emulator.stats().inFlight === 0) await new Promise((r) => setTimeout(r, 1));
      controller.abort();
      expect(await done).toBeInstanceOf(APIUserAbortError);
      expect(events.filter((e) => e.type === 'coverage')).toEqual([]);
    } finally {
      emulator.setLatency(0);
    }
  });
});

describe('allCheckpoints$', () => {
  it('is discovery’s checkpoint names', async () => {
    await using client = clientWith({
      adminAPIKey: emulator.adminKey,
      projectKeys: emulator.projectKeys,
    });
    const all = await lastValueFrom(allCheckpoints$({ client }).pipe(toArray()));
    const expected = discoverable(Object.keys(emulator.projectKeys));
    expect(all.sort()).toEqual([...new Set([...expected.fromLog, ...expected.fromJobs])].sort());
  });
});

import { concatMap, lastValueFrom, toArray } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { discoverCheckpoints$ } from '../../src/audit/discover-checkpoints.js';
import { createClient, type Client } from '../../src/client/create-client.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { ConfigError } from '../../src/errors.js';
import { auditLog$, type AuditLogQuery } from '../../src/resources/audit-log.js';
import type { AuditLogEvent } from '../../src/resources/audit-log-event.js';
import { fineTuningJobs$ } from '../../src/resources/discovery.js';
import { projects$ } from '../../src/resources/projects.js';
import { permissions$ } from '../../src/resources/permissions.js';

let emulator: Emulator;
let client: Client;

beforeAll(async () => {
  emulator = await startEmulator({ seed: 13 });
  client = createClient({
    adminAPIKey: emulator.adminKey,
    projectKeys: emulator.projectKeys,
    baseURL: emulator.url,
    maxRetries: 0,
  });
  // Events by someone else (a colleague in the dashboard), besides the seeded ones by the admin key.
  const truth = emulator.truth();
  const checkpoint = Object.keys(truth.permissions).find((c) => truth.permissions[c]!.length > 0)!;
  const newcomer = truth.projects.find(
    (p) =>
      p.id !== truth.owners[checkpoint] &&
      p.status !== 'archived' &&
      !truth.permissions[checkpoint]!.some((g) => g.project_id === p.id),
  )!;
  const granted = emulator.grant(checkpoint, newcomer.id);
  emulator.revoke(checkpoint, granted.id);
});
afterAll(async () => {
  await client.close();
  await emulator.close();
});
afterEach(() => {
  emulator.resetStats();
});

const ids = (items: readonly { id: string }[]): string[] => items.map((i) => i.id);

describe('projects$ against the emulator', () => {
  it.each([1, 7, 100])(
    'pages every project, archived included, at %i a page, as truth() lists them',
    async (limit) => {
      const truth = emulator.truth();
      const pages = await lastValueFrom(
        projects$({ client, limit, includeArchived: true }).pipe(toArray()),
      );
      expect(pages.flatMap((p) => p.data)).toEqual(truth.projects);
      expect(pages).toHaveLength(Math.max(1, Math.ceil(truth.projects.length / limit)));
      expect(truth.projects.some((p) => p.status === 'archived')).toBe(true);
    },
  );

  it('leaves archived projects out by default, as the API does', async () => {
    const listed = await lastValueFrom(
      projects$({ client, limit: 100 }).pipe(
        concatMap((p) => p.data),
        toArray(),
      ),
    );
    expect(ids(listed)).toEqual(
      ids(emulator.truth().projects.filter((p) => p.status !== 'archived')),
    );
  });
});

describe('auditLog$ against the emulator', () => {
  const all = (): AuditLogEvent[] => emulator.truth().auditLog as unknown as AuditLogEvent[];
  const read = async (query: AuditLogQuery): Promise<AuditLogEvent[]> =>
    lastValueFrom(
      auditLog$(query, { client }).pipe(
        concatMap((p) => p.data),
        toArray(),
      ),
    );

  it.each([1, 3, 20, 100])('pages the whole log newest first at %i a page', async (limit) => {
    expect(all().length).toBeGreaterThan(3);
    expect(await read({ limit })).toEqual(all());
  });

  it('filters as the spec says, each filter checked against truth()', async () => {
    const events = all();
    const created = events.filter((e) => e.type === 'checkpoint.permission.created');
    const deleted = events.filter((e) => e.type === 'checkpoint.permission.deleted');
    expect(deleted.length).toBeGreaterThan(0);
    const times = events.map((e) => e.effective_at).sort((a, b) => a - b);
    const middle = times[Math.floor(times.length / 2)]!;
    const colleague = events.find((e) => JSON.stringify(e.actor).includes('session'))!;
    const colleagueEmail = (colleague.actor as { session: { user: { email: string } } }).session
      .user.email;
    const colleagueId = (colleague.actor as { session: { user: { id: string } } }).session.user.id;
    const byColleague = events.filter((e) => JSON.stringify(e.actor).includes(colleagueId));
    const permissionId = deleted[0]!['checkpoint.permission.deleted']!.id!;
    const project = events[0]!.project!.id!;
    const cases: [AuditLogQuery, AuditLogEvent[]][] = [
      [{ event_types: ['checkpoint.permission.created'] }, created],
      [{ event_types: ['checkpoint.permission.deleted'] }, deleted],
      [{ event_types: ['checkpoint.permission.created', 'checkpoint.permission.deleted'] }, events],
      [{ effective_at: { gte: middle } }, events.filter((e) => e.effective_at >= middle)],
      [{ effective_at: { gt: middle } }, events.filter((e) => e.effective_at > middle)],
      [{ effective_at: { lt: middle } }, events.filter((e) => e.effective_at < middle)],
      [
        { effective_at: { gte: times[0]!, lte: middle } },
        events.filter((e) => e.effective_at <= middle),
      ],
      [
        { resource_ids: [permissionId] },
        events.filter(
          (e) =>
            e['checkpoint.permission.created']?.id === permissionId ||
            e['checkpoint.permission.deleted']?.id === permissionId,
        ),
      ],
      [{ project_ids: [project] }, events.filter((e) => e.project?.id === project)],
      [{ actor_emails: [colleagueEmail] }, byColleague],
      [{ actor_ids: [colleagueId] }, byColleague],
    ];
    for (const [query, expected] of cases) {
      expect(expected.length, JSON.stringify(query)).toBeGreaterThan(0);
      expect(ids(await read({ ...query, limit: 5 })), JSON.stringify(query)).toEqual(ids(expected));
    }
    expect(byColleague.length).toBeLessThan(events.length);
  });

  it('starts after a given event, and gives the page just newer than one with before', async () => {
    const events = all();
    expect(ids(await read({ after: events[1]!.id, limit: 2 }))).toEqual(ids(events.slice(2)));
    const newer = await read({ before: events[3]!.id, limit: 2 });
    expect(ids(newer)).toEqual(ids(events.slice(1, 3)));
  });
});

describe('each endpoint gets the key it takes (the emulator answers 401 to the other kind)', () => {
  it('a client with both kinds reads permissions, projects, the log and every keyed project’s jobs without one 401', async () => {
    const checkpoint = Object.keys(emulator.truth().permissions)[0]!;
    await lastValueFrom(permissions$(checkpoint, { client }).pipe(toArray()));
    await lastValueFrom(discoverCheckpoints$({ client }).pipe(toArray()));
    const stats = emulator.stats();
    expect(stats.requests).toBeGreaterThan(3);
    expect(stats.byStatus).toEqual({ '200': stats.requests });
  });

  it('a missing kind is a ConfigError before any request, never the other kind of key', async () => {
    await using adminOnly = createClient({ adminAPIKey: emulator.adminKey, baseURL: emulator.url });
    await expect(lastValueFrom(fineTuningJobs$({ client: adminOnly }))).rejects.toMatchObject({
      option: 'apiKey',
    });
    const [project, key] = Object.entries(emulator.projectKeys)[0]!;
    await using projectOnly = createClient({ apiKey: key, baseURL: emulator.url });
    await expect(lastValueFrom(projects$({ client: projectOnly }))).rejects.toBeInstanceOf(
      ConfigError,
    );
    await expect(
      lastValueFrom(fineTuningJobs$({ client: projectOnly, project })),
    ).rejects.toMatchObject({ option: `projectKeys["${project}"]` });
    expect(emulator.stats().requests).toBe(0);
  });
});

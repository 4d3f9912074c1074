import { concatMap, lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditPermissions$ } from '../../src/audit/audit-permissions.js';
import type { AuditSummary, PermissionRecord } from '../../src/audit/audit-record.js';
import { createClient, type Client } from '../../src/client/create-client.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { ConfigError } from '../../src/errors.js';
import type { Project } from '../../src/resources/project.js';
import { projects$ } from '../../src/resources/projects.js';

let emulator: Emulator;
let client: Client;

beforeAll(async () => {
  emulator = await startEmulator({ seed: 5 });
  client = createClient({ adminAPIKey: emulator.adminKey, baseURL: emulator.url, maxRetries: 0 });
});
afterAll(async () => {
  await client.close();
  await emulator.close();
});

/** A project as the API lists it. */
const project = (id: string, name: string, archived: boolean): Project => ({
  object: 'organization.project',
  id,
  name,
  created_at: 1_700_000_000,
  archived_at: archived ? 1_710_000_000 : null,
  status: archived ? 'archived' : 'active',
});

describe('auditPermissions$ with projects', () => {
  // Every grantee but one is named; every other one of them is archived.
  const setup = (): {
    checkpoints: string[];
    projects: Project[];
    unknown: string;
    archived: Set<string>;
  } => {
    const truth = emulator.truth().permissions;
    const checkpoints = Object.keys(truth)
      .filter((c) => truth[c]!.length > 0)
      .slice(0, 6);
    const grantees = [...new Set(checkpoints.flatMap((c) => truth[c]!.map((p) => p.project_id)))];
    expect(grantees.length).toBeGreaterThan(2);
    const [unknown, ...named] = grantees;
    const archived = new Set(named.filter((_, i) => i % 2 === 0));
    return {
      checkpoints,
      projects: named.map((id) => project(id, `Team ${id.slice(-4)}`, archived.has(id))),
      unknown: unknown!,
      archived,
    };
  };

  it.each([
    ['an array', (p: Project[]): Iterable<Project> => p],
    [
      'a Map by id',
      (p: Project[]): ReadonlyMap<string, Project> => new Map(p.map((x) => [x.id, x])),
    ],
    ['a Set', (p: Project[]): Iterable<Project> => new Set(p)],
  ])(
    'annotates each permission with its project’s name and status (%s); flags and counts archived grantees',
    async (_n, as) => {
      const { checkpoints, projects, unknown, archived } = setup();
      const records = await lastValueFrom(
        auditPermissions$(checkpoints, { client, projects: as(projects) }).pipe(toArray()),
      );
      const permissions = records.filter((r): r is PermissionRecord => r.type === 'permission');
      const truth = emulator.truth().permissions;
      expect(permissions).toHaveLength(checkpoints.flatMap((c) => truth[c]!).length);
      const byId = new Map(projects.map((p) => [p.id, p]));
      for (const record of permissions) {
        const named = byId.get(record.project_id);
        expect(record.project_name).toBe(named?.name ?? null);
        expect(record.project_status).toBe(named?.status ?? null);
        expect(record.archived).toBe(archived.has(record.project_id));
        if (record.project_id === unknown) expect(record.project_status).toBeNull();
      }
      const summary = records.at(-1) as AuditSummary;
      expect(summary.archived).toBe(permissions.filter((r) => archived.has(r.project_id)).length);
      expect(summary.archived).toBeGreaterThan(0);
    },
  );

  it('with the organization’s projects from projects$: every grantee named as truth() has it', async () => {
    const truth = emulator.truth();
    const listed = await lastValueFrom(
      projects$({ client, includeArchived: true, limit: 100 }).pipe(
        concatMap((page) => page.data),
        toArray(),
      ),
    );
    const checkpoints = Object.keys(truth.permissions);
    const records = await lastValueFrom(
      auditPermissions$(checkpoints, { client, projects: listed }).pipe(toArray()),
    );
    const permissions = records.filter((r): r is PermissionRecord => r.type === 'permission');
    const byId = new Map(truth.projects.map((p) => [p.id, p]));
    for (const record of permissions) {
      const project = byId.get(record.project_id)!;
      expect(record.project_name).toBe(project.name);
      expect(record.project_status).toBe(project.status);
      expect(record.archived).toBe(project.status === 'archived');
    }
    const archived = Object.values(truth.permissions)
      .flat()
      .filter((p) => byId.get(p.project_id)!.status === 'archived').length;
    expect(archived).toBeGreaterThan(0);
    expect((records.at(-1) as AuditSummary).archived).toBe(archived);
  });

  it('without projects: names and statuses are null, nothing is archived', async () => {
    const { checkpoints } = setup();
    const records = await lastValueFrom(auditPermissions$(checkpoints, { client }).pipe(toArray()));
    const permissions = records.filter((r): r is PermissionRecord => r.type === 'permission');
    expect(permissions.length).toBeGreaterThan(0);
    for (const record of permissions) {
      expect(record).toMatchObject({ project_name: null, project_status: null, archived: false });
    }
    expect((records.at(-1) as AuditSummary).archived).toBe(0);
  });

  it('an archived_at without a status is archived too', async () => {
    const { checkpoints } = setup();
    const grantee = emulator.truth().permissions[checkpoints[0]!]![0]!.project_id;
    const records = await lastValueFrom(
      auditPermissions$([checkpoints[0]!], {
        client,
        projects: [{ object: 'organization.project', id: grantee, created_at: 1, archived_at: 5 }],
      }).pipe(toArray()),
    );
    const record = records.find(
      (r): r is PermissionRecord => r.type === 'permission' && r.project_id === grantee,
    );
    expect(record).toMatchObject({
      project_name: null,
      project_status: 'archived',
      archived: true,
    });
  });

  it.each<[string, unknown]>([
    ['a string', 'proj_a'],
    ['projects without ids', [{ name: 'x' }]],
    ['a number', 3],
  ])('refuses %s as projects with a ConfigError naming the option', (_n, projects) => {
    expect(() => auditPermissions$([], { client, projects: projects as never })).toThrow(
      ConfigError,
    );
    try {
      auditPermissions$([], { client, projects: projects as never });
    } catch (error) {
      expect((error as ConfigError).option).toMatch(/^projects/);
    }
  });
});

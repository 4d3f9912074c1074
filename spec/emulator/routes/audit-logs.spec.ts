/**
 * `GET /organization/audit_logs`: the spec's filters, cursors and order; the events every create
 * and delete writes, by whom and attributed to which project; the organisation's late start of
 * audit logging; `emulator.grant`/`revoke` (and their control routes) acting as a colleague; and
 * the `auditLogDelayMs` fault.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startEmulator,
  type AuditLogEvent,
  type Emulator,
  type Truth,
} from '../../../src/emulator/index.js';
import { call, originOf, permissionsPath } from '../helpers.js';

let emulator: Emulator;
let truth: Truth;
const idsOf = (list: { id: string }[]) => list.map((item) => item.id);
const logs = async (
  query = '',
): Promise<{
  status: number;
  body: {
    data: AuditLogEvent[];
    first_id: string | null;
    last_id: string | null;
    has_more: boolean;
  };
}> => {
  const response = await call(emulator, `/organization/audit_logs${query && `?${query}`}`);
  return { status: response.status, body: response.body };
};

function grantable(name: string): string {
  const now = emulator.truth();
  const granted = new Set(now.permissions[name]?.map((p) => p.project_id));
  return now.projects.find((p) => !granted.has(p.id) && p.id !== now.owners[name])?.id as string;
}

beforeAll(async () => {
  emulator = await startEmulator();
  truth = emulator.truth();
});
afterAll(() => emulator.close());

describe('the seeded audit log', () => {
  it('has events only for the grants made since audit logging began', () => {
    const since = truth.auditLogSince as number;
    expect(since).toBeGreaterThan(0);
    const grants = Object.entries(truth.permissions).flatMap(([name, list]) =>
      list.map((p) => ({ name, ...p })),
    );
    const logged = new Set(truth.auditLog.map((e) => e['checkpoint.permission.created']?.id));
    const before = grants.filter((g) => g.created_at < since);
    const after = grants.filter((g) => g.created_at >= since);
    expect(before.length).toBeGreaterThan(0);
    expect(after.length).toBeGreaterThan(0);
    for (const grant of before) expect(logged.has(grant.id)).toBe(false);
    for (const grant of after) expect(logged.has(grant.id)).toBe(true);
    const event = truth.auditLog.find(
      (e) => e['checkpoint.permission.created']?.id === after[0]?.id,
    );
    expect(event?.['checkpoint.permission.created']?.data).toEqual({
      project_id: after[0]?.project_id,
      fine_tuned_model_checkpoint: after[0]?.name,
    });
  });

  it('lists newest first, 20 by default, by (effective_at, id)', async () => {
    const { body } = await logs();
    expect(body.data).toEqual(truth.auditLog.slice(0, 20));
    expect(body).toMatchObject({
      object: 'list',
      first_id: truth.auditLog[0]?.id,
      last_id: truth.auditLog[19]?.id,
      has_more: true,
    });
  });

  it('pages forwards with after and back with before', async () => {
    const seen: string[] = [];
    let after = '';
    for (;;) {
      const { body } = await logs(`limit=7${after && `&after=${after}`}`);
      seen.push(...idsOf(body.data));
      if (!body.has_more) break;
      after = body.last_id as string;
    }
    expect(seen).toEqual(idsOf(truth.auditLog));
    const middle = truth.auditLog[10]?.id as string;
    const back = await logs(`limit=3&before=${middle}`);
    expect(idsOf(back.body.data)).toEqual(idsOf(truth.auditLog.slice(7, 10)));
    expect(back.body.has_more).toBe(true);
    const top = await logs(`limit=30&before=${middle}`);
    expect(idsOf(top.body.data)).toEqual(idsOf(truth.auditLog.slice(0, 10)));
    expect(top.body.has_more).toBe(false);
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['after=audit_log-nope', 'after'],
    ['before=audit_log-nope', 'before'],
    ['effective_at[gte]=yesterday', 'effective_at[gte]'],
    ['event_types[]=NOT A TYPE', 'event_types'],
  ])('%s -> 400 naming %s', async (query, param) => {
    const response = await call(emulator, `/organization/audit_logs?${query}`);
    expect(response.status).toBe(400);
    expect(response.body.error.param).toBe(param);
  });
});

describe('filters, as openai-node serialises them', () => {
  const all = (): AuditLogEvent[] => emulator.truth().auditLog;
  const query = (params: [string, string][]) =>
    [...params, ['limit', '100'] as [string, string]]
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
      .join('&');

  beforeAll(async () => {
    // A delete by the admin key, and a grant and a revoke by a colleague.
    const name = truth.checkpoints[0]?.fine_tuned_model_checkpoint as string;
    const victim = truth.permissions[name]?.[0]?.id as string;
    await call(emulator, `${permissionsPath(name)}/${victim}`, { method: 'DELETE' });
    const granted = emulator.grant(name, grantable(name));
    emulator.revoke(name, granted.id);
  });

  it.each<[string, [string, string][], (event: AuditLogEvent) => boolean]>([
    [
      'event_types[]',
      [['event_types[]', 'checkpoint.permission.deleted']],
      (e) => e.type === 'checkpoint.permission.deleted',
    ],
    [
      'two event_types[]',
      [
        ['event_types[]', 'checkpoint.permission.deleted'],
        ['event_types[]', 'checkpoint.permission.created'],
      ],
      () => true,
    ],
    ['an event type with no events', [['event_types[]', 'project.created']], () => false],
    [
      'actor_emails[]',
      [['actor_emails[]', 'colleague@acme.example']],
      (e) => e.actor.type === 'session',
    ],
    [
      'actor_ids[] (a key tracking id)',
      [['actor_ids[]', 'key_emulatorAdminKey0001']],
      (e) => e.actor.type === 'api_key',
    ],
  ])('%s', async (_, params, expected) => {
    const { body } = await logs(query(params));
    expect(idsOf(body.data)).toEqual(idsOf(all().filter(expected).slice(0, 100)));
  });

  it('effective_at[gt|gte|lt|lte]', async () => {
    const at = all()[5]?.effective_at as number;
    for (const [bound, keep] of [
      ['gt', (t: number) => t > at],
      ['gte', (t: number) => t >= at],
      ['lt', (t: number) => t < at],
      ['lte', (t: number) => t <= at],
    ] as const) {
      const { body } = await logs(query([[`effective_at[${bound}]`, String(at)]]));
      expect(idsOf(body.data), bound).toEqual(
        idsOf(
          all()
            .filter((e) => keep(e.effective_at))
            .slice(0, 100),
        ),
      );
    }
  });

  it('resource_ids[] (the permission) and project_ids[] (where the action is attributed)', async () => {
    const deleted = all().find(
      (e) => e.type === 'checkpoint.permission.deleted' && e.actor.type === 'api_key',
    );
    const id = deleted?.['checkpoint.permission.deleted']?.id as string;
    const byResource = await logs(query([['resource_ids[]', id]]));
    expect(byResource.body.data.map((e) => e.type)).toContain('checkpoint.permission.deleted');
    const byProject = await logs(query([['project_ids[]', truth.defaultProjectId]]));
    expect(byProject.body.data.length).toBeGreaterThan(0);
    expect(byProject.body.data.every((e) => e.project.id === truth.defaultProjectId)).toBe(true);
  });

  it('the admin key acts on the default project; a colleague on the checkpoint\u2019s owner', () => {
    const [revoked, granted] = all();
    const name = truth.checkpoints[0]?.fine_tuned_model_checkpoint as string;
    expect(revoked).toMatchObject({
      type: 'checkpoint.permission.deleted',
      project: { id: truth.owners[name] },
      actor: { type: 'session', session: { user: { email: 'colleague@acme.example' } } },
    });
    expect(Object.keys(revoked?.['checkpoint.permission.deleted'] ?? {})).toEqual(['id']);
    expect(granted?.type).toBe('checkpoint.permission.created');
    const adminDelete = all().find(
      (e) => e.type === 'checkpoint.permission.deleted' && e.actor.type === 'api_key',
    );
    expect(adminDelete).toMatchObject({
      project: { id: truth.defaultProjectId, name: 'Default project' },
      actor: { type: 'api_key', api_key: { type: 'user', id: 'key_emulatorAdminKey0001' } },
    });
  });
});

describe('acting as someone else through the control routes', () => {
  const control = async (path: string, body: unknown) => {
    const response = await fetch(`${originOf(emulator)}/__emulator${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests index into bodies freely
    return { status: response.status, body: (await response.json()) as any };
  };

  it('POST /__emulator/grant and /__emulator/revoke write events with the colleague as actor', async () => {
    const name = truth.checkpoints[2]?.fine_tuned_model_checkpoint as string;
    const project = grantable(name);
    const granted = await control('/grant', { checkpoint: name, project_id: project });
    expect(granted.status).toBe(200);
    expect(granted.body).toMatchObject({ object: 'checkpoint.permission', project_id: project });
    const revoked = await control('/revoke', { checkpoint: name, permission_id: granted.body.id });
    expect(revoked.body.id).toBe(granted.body.id);
    const [deleted, created] = emulator.truth().auditLog;
    expect(deleted?.['checkpoint.permission.deleted']?.id).toBe(granted.body.id);
    expect(created?.['checkpoint.permission.created']?.id).toBe(granted.body.id);
    expect(created?.actor.type).toBe('session');
  });

  it('answers the API\u2019s error for the owning project, and a 400 for a missing field', async () => {
    const name = truth.checkpoints[2]?.fine_tuned_model_checkpoint as string;
    const owner = await control('/grant', { checkpoint: name, project_id: truth.owners[name] });
    expect(owner.status).toBe(400);
    expect(owner.body.error.message).toMatch(/owning project/);
    const missing = await control('/revoke', { checkpoint: name });
    expect(missing.status).toBe(400);
    expect(missing.body.error.param).toBe('permission_id');
  });
});

describe('auditLogDelayMs and auditLogSince', () => {
  it('an event becomes visible only after the delay; the truth has it at once', async () => {
    const late = await startEmulator({ chaos: { auditLogDelayMs: 60 } });
    try {
      const name = late.truth().checkpoints[0]?.fine_tuned_model_checkpoint as string;
      const victim = late.truth().permissions[name]?.[0]?.id as string;
      await call(late, `${permissionsPath(name)}/${victim}`, { method: 'DELETE' });
      const deletedEvents = async () =>
        (await call(late, '/organization/audit_logs?event_types[]=checkpoint.permission.deleted'))
          .body.data;
      expect(await deletedEvents()).toEqual([]);
      expect(late.truth().auditLog[0]?.type).toBe('checkpoint.permission.deleted');
      // Poll: the delay is real time, and only a positive result ends the wait.
      let seen: unknown[] = [];
      for (let tries = 0; tries < 200 && seen.length === 0; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        seen = await deletedEvents();
      }
      expect(seen).toHaveLength(1);
    } finally {
      await late.close();
    }
  });

  it('auditLogSince: null means no seeded grant has an event; writes still do', async () => {
    const fresh = await startEmulator({ auditLogSince: null });
    try {
      expect(fresh.truth().auditLog).toEqual([]);
      expect(fresh.truth().auditLogSince).toBeNull();
      const name = fresh.truth().checkpoints[0]?.fine_tuned_model_checkpoint as string;
      const victim = fresh.truth().permissions[name]?.[0]?.id as string;
      await call(fresh, `${permissionsPath(name)}/${victim}`, { method: 'DELETE' });
      expect(fresh.truth().auditLog).toHaveLength(1);
    } finally {
      await fresh.close();
    }
  });

  it('auditLogSince in the future: writes before it record nothing', async () => {
    const off = await startEmulator({ auditLogSince: 4_000_000_000 });
    try {
      const name = off.truth().checkpoints[0]?.fine_tuned_model_checkpoint as string;
      const victim = off.truth().permissions[name]?.[0]?.id as string;
      await call(off, `${permissionsPath(name)}/${victim}`, { method: 'DELETE' });
      expect(off.truth().auditLog).toEqual([]);
    } finally {
      await off.close();
    }
  });
});

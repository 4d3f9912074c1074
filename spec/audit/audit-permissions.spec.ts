import { concatMap, lastValueFrom, of, take, timer, toArray } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { auditPermissions } from '../../src/audit/audit-iterable.js';
import { auditPermissions$ } from '../../src/audit/audit-permissions.js';
import type { AuditRecord, PermissionRecord } from '../../src/audit/audit-record.js';
import { createClient, type Client } from '../../src/client/create-client.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { APIUserAbortError, ConfigError, NotFoundError } from '../../src/errors.js';
import { allCheckpoints$ } from '../../src/audit/discover-checkpoints.js';
import { fineTuningJobs$, jobCheckpoints$ } from '../../src/resources/discovery.js';
import { waitFor } from '../support/wait-for.js';

let emulator: Emulator;
let client: Client;

beforeAll(async () => {
  emulator = await startEmulator({ seed: 5 });
  client = createClient({
    adminAPIKey: emulator.adminKey,
    projectKeys: emulator.projectKeys,
    baseURL: emulator.url,
    maxRetries: 0,
  });
});
afterAll(async () => {
  await client.close();
  await emulator.close();
});
afterEach(() => {
  emulator.setLatency(0);
  emulator.resetStats();
});

const checkpointsOf = (): string[] => Object.keys(emulator.truth().permissions);
const permissionsOf = (records: AuditRecord[], checkpoint: string): PermissionRecord[] =>
  records.filter(
    (r): r is PermissionRecord => r.type === 'permission' && r.checkpoint === checkpoint,
  );

describe('auditPermissions$', () => {
  it('emits every permission of every checkpoint, tagged, in ascending order, then a summary', async () => {
    const checkpoints = checkpointsOf();
    const records = await lastValueFrom(
      auditPermissions$(checkpoints, { client, limit: 10 }).pipe(toArray()),
    );
    const truth = emulator.truth().permissions;
    for (const checkpoint of checkpoints) {
      expect(
        permissionsOf(records, checkpoint).map(({ id, project_id, created_at }) => ({
          id,
          project_id,
          created_at,
        })),
      ).toEqual(
        truth[checkpoint]!.map(({ id, project_id, created_at }) => ({
          id,
          project_id,
          created_at,
        })),
      );
      const done = records.filter((r) => r.type === 'checkpoint' && r.checkpoint === checkpoint);
      expect(done).toEqual([
        {
          type: 'checkpoint',
          checkpoint,
          permissions: truth[checkpoint]!.length,
          violations: 0,
          pages: Math.max(1, Math.ceil(truth[checkpoint]!.length / 10)),
        },
      ]);
    }
    const total = Object.values(truth).flat().length;
    const summary = records.at(-1);
    expect(summary).toMatchObject({
      type: 'summary',
      checkpoints: { ok: checkpoints.length, failed: 0, skipped: 0 },
      permissions: total,
      violations: 0,
      requests: emulator.stats().requests,
      retries: 0,
      rateLimited: 0,
    });
  });

  it('orders a checkpoint’s records: its permissions and page marks, then its checkpoint record', async () => {
    const checkpoint = checkpointsOf().find((c) => emulator.truth().permissions[c]!.length === 11)!;
    const records = await lastValueFrom(
      auditPermissions$([checkpoint], { client, limit: 10 }).pipe(toArray()),
    );
    expect(records.map((r) => r.type)).toEqual([
      ...Array<string>(10).fill('permission'),
      'page',
      'permission',
      'page',
      'checkpoint',
      'summary',
    ]);
    const pages = records.filter((r) => r.type === 'page');
    expect(pages[0]).toMatchObject({
      page: 1,
      permissions: 10,
      after: emulator.truth().permissions[checkpoint]![9]!.id,
    });
    expect(pages[1]).toMatchObject({ page: 2, permissions: 1, after: null });
  });

  it('reports a failing checkpoint as an error record and finishes the others', async () => {
    const [first, second] = checkpointsOf();
    const records = await lastValueFrom(
      auditPermissions$([first!, 'ft:gpt-4o-mini-2024-07-18:acme:gone:xyz', second!], {
        client,
      }).pipe(toArray()),
    );
    const failure = records.find((r) => r.type === 'error');
    expect(failure).toMatchObject({
      type: 'error',
      checkpoint: 'ft:gpt-4o-mini-2024-07-18:acme:gone:xyz',
      error: { status: 404, type: 'invalid_request_error' },
    });
    expect((failure as { error: { request_id: string } }).error.request_id).toMatch(/^req_/);
    expect((failure as { cause: unknown }).cause).toBeInstanceOf(NotFoundError);
    expect(records.at(-1)).toMatchObject({ checkpoints: { ok: 2, failed: 1 } });
  });

  it('ends with the first failure under failFast', async () => {
    const error = await lastValueFrom(
      auditPermissions$(['ft:gpt-4o-mini-2024-07-18:acme:gone:xyz', ...checkpointsOf()], {
        client,
        failFast: true,
      }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
  });

  it('audits a checkpoint listed twice only once', async () => {
    const [one] = checkpointsOf();
    const records = await lastValueFrom(
      auditPermissions$([one!, one!, one!], { client }).pipe(toArray()),
    );
    expect(records.filter((r) => r.type === 'checkpoint')).toHaveLength(1);
  });

  it('flags every permission outside the allow-list, and only those', async () => {
    const truth = emulator.truth().permissions;
    const checkpoints = checkpointsOf();
    const everyone = [
      ...new Set(Object.values(truth).flatMap((l) => l.map((p) => p.project_id))),
    ].sort();
    const banned = new Set(everyone.slice(0, 3));
    const special = checkpoints.find((c) => truth[c]!.some((p) => banned.has(p.project_id)))!;
    const pardoned = truth[special]!.find((p) => banned.has(p.project_id))!.project_id;
    const records = await lastValueFrom(
      auditPermissions$(checkpoints, {
        client,
        allow: {
          projects: everyone.filter((p) => !banned.has(p)),
          checkpoints: { [special]: [pardoned] },
        },
      }).pipe(toArray()),
    );
    const flagged = records.filter(
      (r): r is PermissionRecord => r.type === 'permission' && r.allowed === false,
    );
    const expected = Object.entries(truth).flatMap(([c, list]) =>
      list
        .filter((p) => banned.has(p.project_id) && !(c === special && p.project_id === pardoned))
        .map((p) => p.id),
    );
    expect(flagged.map((r) => r.id).sort()).toEqual(expected.sort());
    expect(records.at(-1)).toMatchObject({ violations: expected.length });
  });

  it('revokes violations only when asked: a dry run reports, apply deletes through the limiter', async () => {
    const truth = emulator.truth().permissions;
    const checkpoint = checkpointsOf().find((c) => truth[c]!.length >= 9 && truth[c]!.length < 20)!;
    const keep = truth[checkpoint]!.slice(2).map((p) => p.project_id);
    const rogue = truth[checkpoint]!.slice(0, 2).map((p) => p.id);

    const dry = await lastValueFrom(
      auditPermissions$([checkpoint], {
        client,
        allow: { projects: keep },
        revoke: 'dry-run',
      }).pipe(toArray()),
    );
    expect(dry.filter((r) => r.type === 'revocation')).toEqual(
      rogue.map((id) =>
        expect.objectContaining({ type: 'revocation', id, dryRun: true, deleted: false }),
      ),
    );
    expect(emulator.truth().permissions[checkpoint]).toHaveLength(truth[checkpoint]!.length);

    const applied = await lastValueFrom(
      auditPermissions$([checkpoint], { client, allow: { projects: keep }, revoke: 'apply' }).pipe(
        toArray(),
      ),
    );
    // Revocations run concurrently: their records come in the order the deletions finish.
    const appliedRevocations = applied.filter((r) => r.type === 'revocation');
    expect(appliedRevocations).toHaveLength(rogue.length);
    expect(appliedRevocations).toEqual(
      expect.arrayContaining(
        rogue.map((id) => expect.objectContaining({ id, dryRun: false, deleted: true })),
      ),
    );
    expect(applied.at(-1)).toMatchObject({ revoked: 2 });
    expect(emulator.truth().permissions[checkpoint]!.map((p) => p.id)).toEqual(
      truth[checkpoint]!.slice(2).map((p) => p.id),
    );
  });

  it('ends the audit with the consumer’s own error when `process` fails, not a checkpoint error', async () => {
    const broken = new Error('the database is down');
    let processed = 0;
    const outcome = await lastValueFrom(
      auditPermissions$(checkpointsOf(), {
        client,
        process: async () => {
          if (++processed === 3) throw broken;
        },
      }).pipe(toArray()),
    ).catch((e: unknown) => e);
    expect(outcome).toBe(broken);
  });

  it('counts carried violations and revokes only those not yet revoked; a 404 means already gone', async () => {
    const truth = emulator.truth().permissions;
    const checkpoint = checkpointsOf().find((c) => truth[c]!.length >= 9 && truth[c]!.length < 20)!;
    const [first, second] = truth[checkpoint]!;
    const gone = { id: 'cp_revoked_by_the_killed_run', project_id: 'proj_rogue' };
    const records = await lastValueFrom(
      auditPermissions$([checkpoint], {
        client,
        allow: { projects: truth[checkpoint]!.map((p) => p.project_id) },
        revoke: 'apply',
        resume: {
          done: [],
          cursors: {},
          listed: [checkpoint],
          violations: { [checkpoint]: [{ ...first!, revoked: true }, second!, gone] },
        },
      }).pipe(toArray()),
    );
    const revocations = records.filter((r) => r.type === 'revocation');
    expect(revocations).toHaveLength(2);
    expect(revocations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: second!.id, deleted: true }),
        expect.objectContaining({ id: gone.id, deleted: true, error: undefined }),
      ]),
    );
    expect(records.at(-1)).toMatchObject({ violations: 3, revoked: 2 });
    expect(emulator.truth().permissions[checkpoint]!.map((p) => p.id)).not.toContain(second!.id);
    expect(emulator.truth().permissions[checkpoint]!.map((p) => p.id)).toContain(first!.id);
  });

  it('rejects bad options before any request', () => {
    expect(() => auditPermissions$([], { concurrency: 0 })).toThrow(ConfigError);
    expect(() => auditPermissions$([], { revoke: 'apply' })).toThrow(/allow-list/);
    expect(() => auditPermissions$([], { revoke: 'yes' as never, allow: {} })).toThrow(/revoke/);
    expect(() => auditPermissions$([], { allow: { projects: 'proj_a' as never } })).toThrow(
      /allow.projects/,
    );
    expect(emulator.stats().requests).toBe(0);
  });

  it('ends with APIUserAbortError on the signal, aborting requests in flight', async () => {
    emulator.setLatency(10_000);
    const controller = new AbortController();
    const result = lastValueFrom(
      auditPermissions$(checkpointsOf(), { client, signal: controller.signal }),
    ).catch((e: unknown) => e);
    await waitFor(() => emulator.stats().inFlight > 0, 'a request to reach the emulator');
    controller.abort();
    expect(await result).toBeInstanceOf(APIUserAbortError);
    await waitFor(() => emulator.stats().inFlight === 0, 'the emulator to see the requests closed');
    expect(emulator.stats().aborted).toBeGreaterThan(0);
  });
});

describe('backpressure', () => {
  /** The emulator answers in ~2 ms; the consumer takes 10× that per page. */
  const latencyMs = 2;
  const perPageMs = 10 * latencyMs;
  const concurrency = 3;

  it('with `process`, never has more than 2 × concurrency pages served ahead of the consumer', async () => {
    emulator.setLatency(latencyMs);
    let consumed = 0;
    let worst = 0;
    const records = await lastValueFrom(
      auditPermissions$(checkpointsOf(), {
        client,
        concurrency,
        limit: 10,
        process: (record) => {
          worst = Math.max(worst, emulator.stats().permissionPagesServed - consumed);
          if (record.type !== 'page') return [];
          return timer(perPageMs).pipe(concatMap(() => ((consumed += 1), [])));
        },
      }).pipe(toArray()),
    );
    expect(consumed).toBe(emulator.stats().permissionPagesServed);
    expect(consumed).toBeGreaterThan(4 * concurrency);
    expect(worst).toBeLessThanOrEqual(2 * concurrency);
    expect(records.at(-1)).toMatchObject({ type: 'summary' });
  });

  it('pulled with for await, holds the same bound, and a break stops the audit', async () => {
    emulator.setLatency(latencyMs);
    let consumed = 0;
    let worst = 0;
    let sentAtBreak = -1;
    for await (const record of auditPermissions(checkpointsOf(), {
      client,
      concurrency,
      limit: 10,
    })) {
      worst = Math.max(worst, emulator.stats().permissionPagesServed - consumed);
      if (record.type === 'page') {
        await new Promise((resolve) => setTimeout(resolve, perPageMs));
        consumed++;
      }
      if (consumed === 12) {
        sentAtBreak = client.metrics().requests;
        break;
      }
    }
    expect(worst).toBeLessThanOrEqual(2 * concurrency);
    // The break unsubscribed. Once the client holds nothing queued or running, no request can
    // start any more: then the counts are final, and nothing was sent after the break.
    await waitFor(() => {
      const { active, queued } = client.metrics().limiter;
      return active === 0 && queued === 0 && emulator.stats().inFlight === 0;
    }, 'the audit to let go of the client');
    expect(client.metrics().requests).toBe(sentAtBreak);
    const served = emulator.stats().permissionPagesServed;
    expect(served - consumed).toBeLessThanOrEqual(2 * concurrency);
  });
});

describe('discovery', () => {
  it('lists every job of a project, every job’s checkpoints, with that project’s key', async () => {
    const truth = emulator.truth();
    const [project] = Object.keys(emulator.projectKeys);
    const own = truth.jobs.filter((j) => truth.jobOwners[j.id] === project);
    expect(own.length).toBeGreaterThan(0);
    const jobs = await lastValueFrom(
      fineTuningJobs$({ client, limit: 4, project }).pipe(
        concatMap((p) => p.data),
        toArray(),
      ),
    );
    expect(jobs.map((j) => j.id)).toEqual(own.map((j) => j.id));
    const first = own[0]!.id;
    const checkpoints = await lastValueFrom(
      jobCheckpoints$(first, { client, limit: 2, project }).pipe(
        concatMap((p) => p.data),
        toArray(),
      ),
    );
    expect(checkpoints).toEqual(truth.checkpoints.filter((c) => c.fine_tuning_job_id === first));
  });

  it('feeds an organization-wide audit', async () => {
    const names = await lastValueFrom(allCheckpoints$({ client }).pipe(toArray()));
    const records = await lastValueFrom(
      auditPermissions$(allCheckpoints$({ client }), { client }).pipe(toArray()),
    );
    const truth = emulator.truth().permissions;
    expect(records.at(-1)).toMatchObject({
      checkpoints: { ok: names.length, failed: 0 },
      permissions: names.flatMap((name) => truth[name] ?? []).length,
    });
  });

  it('stops discovering when the consumer has enough', async () => {
    const two = await lastValueFrom(allCheckpoints$({ client }).pipe(take(2), toArray()));
    expect(two).toHaveLength(2);
  });
});

describe('guards against destructive mistakes', () => {
  const MANY = 'ft:gpt-4o-mini-2024-07-18:acme:guards:Gd1:ckpt-step-1';
  const FEW = 'ft:gpt-4o-mini-2024-07-18:acme:guards:Gd1:ckpt-step-2';
  let own: Emulator;
  let ownClient: Client;
  beforeAll(async () => {
    own = await startEmulator({ dataset: { checkpoints: { [MANY]: 130, [FEW]: 8 } } });
    ownClient = createClient({ adminAPIKey: own.adminKey, baseURL: own.url, maxRetries: 0 });
  });
  afterAll(async () => {
    await ownClient.close();
    await own.close();
  });
  afterEach(() => {
    own.setLatency(0);
    own.resetStats();
  });
  /** An allow-list that keeps every project of the checkpoint except those of `rogue`. */
  const keepAllBut = (checkpoint: string, rogue: number): { projects: string[] } => ({
    projects: own
      .truth()
      .permissions[checkpoint]!.slice(rogue)
      .map((p) => p.project_id),
  });

  it.each([
    ['a string', 'ft:gpt-4o-mini-2024-07-18:acme:guards:Gd1:ckpt-step-1'],
    ['a number', 42],
    ['null', null],
    ['a plain object', { 0: 'ft:a' }],
  ])('refuses %s for the checkpoints before any request', (_, checkpoints) => {
    expect(() => auditPermissions$(checkpoints as never, { client: ownClient })).toThrow(
      expect.objectContaining({ name: 'ConfigError', option: 'checkpoints' }),
    );
    expect(() => auditPermissions$('ft:x' as never, { client: ownClient })).toThrow(
      /checkpoints must be a list of checkpoint ids .*\['ft:x'\]/,
    );
    expect(own.stats().requests).toBe(0);
  });

  it.each([
    ['an empty id', ''],
    ['a blank id', '   '],
    ['a NUL', 'ft:a\u0000b'],
    ['a control character', 'ft:a\u001bb'],
    ['not a string', 7],
  ])('refuses %s in a list before any request', (_, bad) => {
    expect(() => auditPermissions$([MANY, bad as string], { client: ownClient })).toThrow(
      expect.objectContaining({ name: 'ConfigError', option: 'checkpoints[1]' }),
    );
    expect(own.stats().requests).toBe(0);
  });

  it('ends a streamed audit with a ConfigError at an empty id, auditing nothing after it', async () => {
    const outcome = await lastValueFrom(
      auditPermissions$(of('', FEW), { client: ownClient }).pipe(toArray()),
    ).catch((e: unknown) => e);
    expect(outcome).toBeInstanceOf(ConfigError);
    expect((outcome as ConfigError).option).toBe('checkpoints[0]');
    expect(own.stats().requests).toBe(0);
  });

  it('audits a streamed id with a control character (a name the server gave), never skips it', async () => {
    const records = await lastValueFrom(
      auditPermissions$(of(`${FEW}\u001b[2J`), { client: ownClient }).pipe(toArray()),
    );
    expect(records.filter((r) => r.type === 'error' || r.type === 'checkpoint')).toEqual([
      expect.objectContaining({ checkpoint: `${FEW}\u001b[2J` }),
    ]);
  });

  it('refuses an allow-list that allows no project, unless allowEmpty says so on purpose', async () => {
    expect(() => auditPermissions$([FEW], { client: ownClient, allow: {} })).toThrow(
      expect.objectContaining({ name: 'ConfigError', option: 'allow' }),
    );
    expect(() =>
      auditPermissions$([FEW], { client: ownClient, allow: { projets: ['proj_a'] } as never }),
    ).toThrow(expect.objectContaining({ option: 'allow.projets' }));
    expect(own.stats().requests).toBe(0);
    const records = await lastValueFrom(
      auditPermissions$([FEW], { client: ownClient, allow: {}, allowEmpty: true }).pipe(toArray()),
    );
    expect(records.at(-1)).toMatchObject({ violations: 8 });
  });

  it('stops revoking at maxRevocations, reporting the rest as over budget, and counts them', async () => {
    const before = own.truth().permissions[FEW]!;
    const records = await lastValueFrom(
      auditPermissions$([FEW], {
        client: ownClient,
        allow: keepAllBut(FEW, 5),
        revoke: 'apply',
        maxRevocations: 2,
      }).pipe(toArray()),
    );
    const revocations = records.filter((r) => r.type === 'revocation');
    expect(revocations).toHaveLength(5);
    const done = revocations.filter((r) => r.deleted);
    const over = revocations.filter((r) => r.reason === 'budget-exhausted');
    expect(done).toHaveLength(2);
    expect(over).toHaveLength(3);
    expect(over.every((r) => !r.deleted && r.error === undefined)).toBe(true);
    expect(own.stats().byStatus['200']).toBe(1 + 2); // the page, then exactly two deletions
    const left = own.truth().permissions[FEW]!.map((p) => p.id);
    expect(left).toEqual(before.filter((p) => !done.some((r) => r.id === p.id)).map((p) => p.id));
    expect(left).toHaveLength(before.length - 2);
    expect(records.at(-1)).toMatchObject({ violations: 5, revoked: 2, overBudget: 3 });
  });

  it('revokes at most 100 by default with revoke: "apply"', async () => {
    const before = own.truth().permissions[MANY]!.length;
    const records = await lastValueFrom(
      auditPermissions$([MANY], {
        client: ownClient,
        allow: { projects: ['proj_nobody_here'] },
        revoke: 'apply',
      }).pipe(toArray()),
    );
    expect(records.at(-1)).toMatchObject({
      violations: before,
      revoked: 100,
      overBudget: before - 100,
    });
    expect(own.truth().permissions[MANY]).toHaveLength(before - 100);
  });

  it('rejects a maxRevocations that is not a positive integer (or Infinity)', () => {
    for (const bad of [0, -1, 1.5, '10'])
      expect(() =>
        auditPermissions$([], { allow: { projects: ['p'] }, maxRevocations: bad as never }),
      ).toThrow(expect.objectContaining({ option: 'maxRevocations' }));
    expect(() =>
      auditPermissions$([], { allow: { projects: ['p'] }, maxRevocations: Infinity }),
    ).not.toThrow();
  });

  it('holds revocations back for a slow consumer: never more than concurrency ahead of it', async () => {
    const before = own.truth().permissions[MANY]!.length;
    let processed = 0;
    let worst = 0;
    await lastValueFrom(
      auditPermissions$([MANY], {
        client: ownClient,
        concurrency: 3,
        allow: keepAllBut(MANY, 12),
        revoke: 'apply',
        process: (record) => {
          if (record.type !== 'revocation') return [];
          // DELETEs answered so far (the emulator counts a request as it arrives).
          const deletes = own.stats().requests - Math.ceil(before / 100);
          worst = Math.max(worst, deletes - processed);
          return timer(2).pipe(concatMap(() => ((processed += 1), [])));
        },
      }),
    );
    expect(processed).toBe(12);
    expect(worst).toBeLessThanOrEqual(3);
  });

  it('runs a checkpoint’s revocations concurrently, bounded by the concurrency', async () => {
    own.setLatency(5);
    const records = await lastValueFrom(
      auditPermissions$([FEW], {
        client: ownClient,
        concurrency: 3,
        allow: { projects: ['proj_nobody_here'] },
        revoke: 'apply',
      }).pipe(toArray()),
    );
    const revocations = records.filter((r) => r.type === 'revocation');
    expect(revocations.length).toBeGreaterThan(3);
    expect(revocations.every((r) => r.deleted)).toBe(true);
    expect(own.stats().maxInFlight).toBe(3);
  });
});

import { firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createClient, type Client } from '../../src/client/create-client.js';
import {
  startEmulator,
  type CheckpointPermission,
  type Emulator,
} from '../../src/emulator/index.js';
import {
  APIUserAbortError,
  AuthenticationError,
  ConfigError,
  InternalServerError,
  NotFoundError,
} from '../../src/errors.js';
import { permissionPages } from '../../src/resources/permission-pages.js';
import { permissionItems$, permissions$ } from '../../src/resources/permissions.js';
import { createPermissions$, deletePermission$ } from '../../src/resources/write-permissions.js';
import { ManualScheduler } from '../support/manual-scheduler.js';
import { waitFor } from '../support/wait-for.js';

let emulator: Emulator;
let client: Client;

beforeAll(async () => {
  emulator = await startEmulator({ seed: 11 });
  client = createClient({ adminAPIKey: emulator.adminKey, baseURL: emulator.url, maxRetries: 0 });
});
afterAll(async () => {
  await client.close();
  await emulator.close();
});
afterEach(() => {
  emulator.setChaos({});
  emulator.setLatency(0);
  emulator.resetStats();
  vi.unstubAllEnvs();
});

const descending = (a: CheckpointPermission, b: CheckpointPermission): number =>
  b.created_at - a.created_at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

function bySize(size: number): string {
  const entry = Object.entries(emulator.truth().permissions).find(
    ([, list]) => list.length === size,
  );
  if (!entry) throw new Error(`the seeded organisation has no checkpoint with ${size} permissions`);
  return entry[0];
}

describe('permissions$ against the emulator', () => {
  it('lists every seeded checkpoint exactly as the ground truth, in the API’s default (descending) order', async () => {
    const truth = emulator.truth().permissions;
    for (const [checkpoint, expected] of Object.entries(truth)) {
      const pages = await lastValueFrom(permissions$(checkpoint, { client }).pipe(toArray()));
      expect(pages.flatMap((p) => p.data)).toEqual([...expected].sort(descending));
    }
  });

  it.each([0, 1, 9, 10, 11, 250])(
    'pages a checkpoint of %i permissions with limit 10 in ⌈n/10⌉ requests',
    async (size) => {
      const checkpoint = bySize(size);
      const pages = await lastValueFrom(
        permissions$(checkpoint, { client, limit: 10, order: 'ascending' }).pipe(toArray()),
      );
      expect(pages.flatMap((p) => p.data)).toEqual(emulator.truth().permissions[checkpoint]);
      // The emulator sets has_more exactly, so an exact multiple of 10 ends without an empty page.
      expect(pages).toHaveLength(Math.max(1, Math.ceil(size / 10)));
      expect(emulator.stats().requests).toBe(pages.length);
    },
  );

  it('filters by project_id (and accepts the projectId spelling)', async () => {
    const checkpoint = bySize(250);
    const project = emulator.truth().permissions[checkpoint]![7]!.project_id;
    const expected = emulator
      .truth()
      .permissions[checkpoint]!.filter((p) => p.project_id === project);
    for (const filter of [{ project_id: project }, { projectId: project }]) {
      const items = await lastValueFrom(
        permissionItems$(checkpoint, { client, order: 'ascending', ...filter }).pipe(toArray()),
      );
      expect(items).toEqual(expected);
    }
  });

  it('reaches a checkpoint whose id holds / ? # % and spaces', async () => {
    const awkward = Object.keys(emulator.truth().permissions).find((id) => /[/?#% ]/.test(id));
    expect(awkward).toBeDefined();
    const items = await lastValueFrom(
      permissionItems$(awkward!, { client, order: 'ascending' }).pipe(toArray()),
    );
    expect(items).toEqual(emulator.truth().permissions[awkward!]);
  });

  it('starts after a given cursor and stops after maxPages', async () => {
    const checkpoint = bySize(250);
    const all = emulator.truth().permissions[checkpoint]!;
    const pages = await lastValueFrom(
      permissions$(checkpoint, {
        client,
        order: 'ascending',
        limit: 20,
        after: all[4]!.id,
        maxPages: 2,
      }).pipe(toArray()),
    );
    expect(pages.flatMap((p) => p.data)).toEqual(all.slice(5, 45));
  });

  it('is cold and lazy: no request before subscription', async () => {
    const stream = permissions$(bySize(11), { client });
    // Building the stream queued nothing in the client's limiter...
    expect(client.metrics().limiter).toMatchObject({ active: 0, queued: 0 });
    // ...and a request made after it, through the same client, is the first the emulator sees
    // (a stream that had started on its own would have been served first).
    await lastValueFrom(permissions$(bySize(1), { client }));
    expect(emulator.stats().requests).toBe(1);
    await lastValueFrom(stream);
    expect(emulator.stats().requests).toBe(3);
  });

  it('requests no further page once the subscriber has what it wants', async () => {
    const before = client.metrics().requests;
    const first = await firstValueFrom(permissions$(bySize(250), { client, limit: 10 }));
    expect(first.data).toHaveLength(10);
    // firstValueFrom unsubscribed. Once the client holds nothing queued or running, no request
    // can start any more: only then do the counts say what was ever requested.
    await waitFor(() => {
      const { active, queued } = client.metrics().limiter;
      return active === 0 && queued === 0 && emulator.stats().inFlight === 0;
    }, 'the client to let go of every request');
    // The second page may have been requested as the first was emitted; never a third.
    expect(client.metrics().requests - before).toBeLessThanOrEqual(2);
    expect(emulator.stats().permissionPagesServed).toBeLessThanOrEqual(2);
  });

  it('fails with AuthenticationError for a wrong key and for a project key given as the admin key', async () => {
    const projectKey = Object.values(emulator.projectKeys)[0]!;
    for (const [adminAPIKey, message] of [
      ['wrong-key-0123456789', /Incorrect API key/],
      [projectKey, /insufficient permissions/],
    ] as const) {
      const other = createClient({ adminAPIKey, baseURL: emulator.url, maxRetries: 3 });
      const error = await lastValueFrom(permissions$(bySize(1), { client: other })).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(AuthenticationError);
      expect((error as Error).message).toMatch(message);
      expect(String(error) + JSON.stringify(error)).not.toContain(adminAPIKey);
      await other.close();
    }
    // Not retried: one request each.
    expect(emulator.stats().requests).toBe(2);
  });

  it('fails with NotFoundError for an unknown checkpoint', async () => {
    const error = await lastValueFrom(
      permissions$('ft:gpt-4o-mini-2024-07-18:acme:nope:zzz', { client }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).requestID).toMatch(/^req_/);
  });

  it('surfaces an HTML 5xx page as InternalServerError with the start of the body', async () => {
    emulator.setChaos({ error502Html: 1 });
    const error = (await lastValueFrom(permissions$(bySize(1), { client })).catch(
      (e: unknown) => e,
    )) as InternalServerError;
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error.status).toBe(502);
    expect(error.rawBody).toMatch(/<html/i);
  });

  it('aborts mid-request on unsubscribe: the server sees the socket close, no timer is left', async () => {
    emulator.setLatency(10_000);
    const scheduler = new ManualScheduler();
    const local = createClient({
      adminAPIKey: emulator.adminKey,
      baseURL: emulator.url,
      scheduler,
    });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const subscription = permissions$(bySize(11), { client: local }).subscribe();
      await waitFor(() => emulator.stats().inFlight === 1, 'the request to reach the emulator');
      expect(scheduler.pending).toBe(1); // the attempt's timeout
      subscription.unsubscribe();
      await waitFor(
        () => emulator.stats().aborted === 1,
        'the emulator to see the request aborted',
      );
      expect(scheduler.pending).toBe(0);
      // Node reports a promise rejected without a handler at the end of the event-loop turn it
      // was rejected in; unsubscribing settled everything synchronously, turns ago by now.
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await local.close();
    }
  });

  it('ends with APIUserAbortError when the signal fires mid-request', async () => {
    emulator.setLatency(10_000);
    const controller = new AbortController();
    const result = lastValueFrom(
      permissions$(bySize(11), { client, signal: controller.signal }),
    ).catch((e: unknown) => e);
    await waitFor(() => emulator.stats().inFlight === 1, 'the request to reach the emulator');
    controller.abort();
    expect(await result).toBeInstanceOf(APIUserAbortError);
    await waitFor(() => emulator.stats().aborted === 1, 'the emulator to see the request aborted');
  });

  it('builds a client from the environment when none is given, and closes it after', async () => {
    vi.stubEnv('OPENAI_ADMIN_KEY', emulator.adminKey);
    // The project key is never sent to the permission endpoints.
    vi.stubEnv('OPENAI_API_KEY', Object.values(emulator.projectKeys)[0]!);
    vi.stubEnv('OPENAI_BASE_URL', emulator.url);
    const items = await lastValueFrom(permissionItems$(bySize(9)).pipe(toArray()));
    expect(items).toHaveLength(9);
  });

  it('reports a missing admin key at the first request, naming the option and its variable, without sending anything', async () => {
    vi.stubEnv('OPENAI_ADMIN_KEY', '');
    // A project key in OPENAI_API_KEY is not an admin key: it is never tried here.
    vi.stubEnv('OPENAI_API_KEY', Object.values(emulator.projectKeys)[0]!);
    const bare = createClient({ baseURL: emulator.url });
    const error = (await lastValueFrom(permissions$(bySize(1), { client: bare })).catch(
      (e: unknown) => e,
    )) as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.option).toBe('adminAPIKey');
    expect(error.message).toContain('adminAPIKey');
    expect(error.message).toContain('OPENAI_ADMIN_KEY');
    expect(emulator.stats().requests).toBe(0);
    await bare.close();
  });

  it.each([
    ['', {}, 'checkpoint'],
    ['ft:x', { limit: 0 }, 'limit'],
    ['ft:x', { limit: 2.5 }, 'limit'],
    ['ft:x', { order: 'sideways' }, 'order'],
    ['ft:x', { maxPages: -1 }, 'maxPages'],
    ['ft:x', { projectId: 'a', project_id: 'b' }, 'projectId'],
    ['ft:x', { limt: 10 }, 'limt'],
    ['ft:x', { client: {} }, 'client'],
  ])(
    'rejects bad input %j %j with a ConfigError naming %s, before any request',
    (checkpoint, options, option) => {
      const call = (): unknown => permissions$(checkpoint, options as never);
      expect(call).toThrow(ConfigError);
      try {
        call();
      } catch (error) {
        expect((error as ConfigError).option).toBe(option);
      }
      expect(emulator.stats().requests).toBe(0);
    },
  );
});

describe('permissionPages (pull)', () => {
  it('yields the same pages as the stream, one request per page pulled', async () => {
    const checkpoint = bySize(250);
    const seen: string[] = [];
    let pulled = 0;
    for await (const page of permissionPages(checkpoint, {
      client,
      limit: 50,
      order: 'ascending',
    })) {
      pulled++;
      // Pull-based: no request runs ahead of the loop.
      expect(emulator.stats().permissionPagesServed).toBe(pulled);
      seen.push(...page.data.map((p) => p.id));
    }
    expect(seen).toEqual(emulator.truth().permissions[checkpoint]!.map((p) => p.id));
  });

  it('ends with APIUserAbortError naming the request when the signal fires mid-request', async () => {
    emulator.setLatency(10_000);
    const controller = new AbortController();
    const pages = permissionPages(bySize(11), { client, signal: controller.signal });
    const result = (async () => {
      for await (const _page of pages);
    })().catch((e: unknown) => e);
    await waitFor(() => emulator.stats().inFlight === 1, 'the request to reach the emulator');
    controller.abort();
    const failure = await result;
    expect(failure).toBeInstanceOf(APIUserAbortError);
    expect((failure as APIUserAbortError).request?.method).toBe('GET');
    await waitFor(() => emulator.stats().aborted === 1, 'the emulator to see the request aborted');
  });

  it('stops requesting when the loop breaks', async () => {
    for await (const page of permissionPages(bySize(250), { client, limit: 10 })) {
      expect(page.data).toHaveLength(10);
      break;
    }
    expect(emulator.stats().requests).toBe(1);
  });
});

describe('createPermissions$ and deletePermission$', () => {
  it('grant and revoke, and later lists see the change', async () => {
    const checkpoint = bySize(1);
    // A project of the organization that neither owns the checkpoint nor has access yet.
    const truth = emulator.truth();
    const newcomer = truth.projects.find(
      (p) =>
        p.id !== truth.owners[checkpoint] &&
        !truth.permissions[checkpoint]!.some((g) => g.project_id === p.id),
    )!.id;
    const created = await firstValueFrom(createPermissions$(checkpoint, [newcomer], { client }));
    expect(created.data).toHaveLength(1);
    expect(created.data[0]).toMatchObject({
      object: 'checkpoint.permission',
      project_id: newcomer,
    });
    const id = created.data[0]!.id;
    let items = await lastValueFrom(permissionItems$(checkpoint, { client }).pipe(toArray()));
    expect(items.map((p) => p.id)).toContain(id);

    const deleted = await firstValueFrom(deletePermission$(checkpoint, id, { client }));
    expect(deleted).toEqual({ object: 'checkpoint.permission', id, deleted: true });
    items = await lastValueFrom(permissionItems$(checkpoint, { client }).pipe(toArray()));
    expect(items.map((p) => p.id)).not.toContain(id);
    expect(emulator.truth().permissions[checkpoint]).toHaveLength(1);
  });

  it('rejects empty or malformed project lists before sending', () => {
    expect(() => createPermissions$('ft:x', [])).toThrow(ConfigError);
    expect(() => createPermissions$('ft:x', [''])).toThrow(/projectIds\[0\]/);
    expect(() => deletePermission$('ft:x', '')).toThrow(/permissionId/);
  });

  it('permissionItems$ takes exactly what it is asked for', async () => {
    const three = await lastValueFrom(
      permissionItems$(bySize(250), { client }).pipe(take(3), toArray()),
    );
    expect(three).toHaveLength(3);
  });
});

import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createClient } from '../../src/client/create-client.js';
import { VERSION } from '../../src/client/version.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import {
  APIConnectionTimeoutError,
  APIUserAbortError,
  ClientClosedError,
  InternalServerError,
} from '../../src/errors.js';
import type { RequestSpec } from '../../src/internal/http/send-request.js';
import { permissionItems$ } from '../../src/resources/permissions.js';
import { createPermissions$, deletePermission$ } from '../../src/resources/write-permissions.js';
import { ManualScheduler } from '../support/manual-scheduler.js';
import { json, startScriptedServer, type ScriptedServer } from '../support/scripted-server.js';
import { waitFor } from '../support/wait-for.js';

const echo: RequestSpec<unknown> = { method: 'GET', path: '/echo', parse: (body) => body };

let server: ScriptedServer;
let emulator: Emulator;

beforeAll(async () => {
  server = await startScriptedServer((req, res) => json(res, 200, { headers: req.headers }));
  emulator = await startEmulator({ seed: 17 });
});
afterAll(async () => {
  await server.close();
  await emulator.close();
});
afterEach(() => {
  server.requests.length = 0;
  emulator.setChaos({});
  emulator.setLatency(0);
  emulator.resetStats();
});

describe('createClient', () => {
  it('sends the key, a user agent naming the library, organization, project and default headers', async () => {
    const client = createClient({
      adminAPIKey: 'sk-admin-one',
      baseURL: `${server.url}/`,
      organization: 'org_1',
      project: 'proj_1',
      defaultHeaders: { 'X-Trace': 'abc' },
    });
    await firstValueFrom(client.request$(echo));
    const headers = server.requests[0]!.headers;
    expect(headers.authorization).toBe('Bearer sk-admin-one');
    expect(headers['user-agent']).toBe(
      `rx-checkpoint-permissions/${VERSION} node/${process.versions.node}`,
    );
    expect(headers['openai-organization']).toBe('org_1');
    expect(headers['openai-project']).toBe('proj_1');
    expect(headers['x-trace']).toBe('abc');
    expect(server.requests[0]!.url).toBe('/v1/echo');
    expect(client.baseURL).toBe(server.url);
    await client.close();
  });

  it('close() is idempotent, completes events$, refuses later requests, and leaves a caller’s dispatcher open', async () => {
    const dispatcher = new Agent();
    const client = createClient({ adminAPIKey: 'k', baseURL: server.url, dispatcher });
    let completed = false;
    client.events$.subscribe({ complete: () => (completed = true) });
    await client.close();
    await client.close();
    expect(completed).toBe(true);
    await expect(firstValueFrom(client.request$(echo))).rejects.toThrow(ClientClosedError);
    // The dispatcher is the caller's: still usable.
    const other = createClient({ adminAPIKey: 'k', baseURL: server.url, dispatcher });
    await expect(firstValueFrom(other.request$(echo))).resolves.toBeDefined();
    await other.close();
    await dispatcher.close();
  });

  it('releases its own connections with `await using`', async () => {
    let leaked: ReturnType<typeof createClient> | undefined;
    {
      await using client = createClient({ adminAPIKey: 'k', baseURL: server.url });
      await firstValueFrom(client.request$(echo));
      leaked = client;
    }
    await expect(firstValueFrom(leaked.request$(echo))).rejects.toThrow(/closed/);
  });

  it('request() (the promise entry point) retries with the same policy and counts it', async () => {
    emulator.setChaos({ error500: 0.5, seed: 4 });
    const retries: number[] = [];
    const client = createClient({
      adminAPIKey: emulator.apiKey,
      baseURL: emulator.url,
      maxRetries: 10,
      initialRetryDelay: 1,
      onRetry: (event) => retries.push(event.attempt),
    });
    const checkpoint = Object.keys(emulator.truth().permissions)[0]!;
    const spec: RequestSpec<unknown> = {
      method: 'GET',
      path: `/fine_tuning/checkpoints/${encodeURIComponent(checkpoint)}/permissions`,
      parse: (body) => body,
    };
    for (let i = 0; i < 6; i++) await client.request(spec, { checkpoint });
    const stats = emulator.stats();
    expect(stats.requests).toBe(6 + retries.length);
    expect(client.metrics()).toMatchObject({ requests: stats.requests, retries: retries.length });
    expect(retries.length).toBeGreaterThan(0);
    await client.close();
  });

  it('request() is request$ as a promise: one path, the same spec and options', async () => {
    const client = createClient({ adminAPIKey: emulator.apiKey, baseURL: emulator.url });
    try {
      const engine = vi.spyOn(client, 'request$');
      const checkpoint = Object.keys(emulator.truth().permissions)[0]!;
      const spec: RequestSpec<unknown> = {
        method: 'GET',
        path: `/fine_tuning/checkpoints/${encodeURIComponent(checkpoint)}/permissions`,
        parse: (body) => body,
      };
      const options = { checkpoint };
      const body = await client.request(spec, options);
      expect(engine).toHaveBeenCalledOnce();
      expect(engine).toHaveBeenCalledWith(spec, options);
      expect(body).toMatchObject({ object: 'list' });
    } finally {
      await client.close();
    }
  });

  it('request() rejects with APIUserAbortError when aborted while queued or waiting', async () => {
    emulator.setChaos({ error503: 1 });
    const client = createClient({
      adminAPIKey: emulator.apiKey,
      baseURL: emulator.url,
      initialRetryDelay: 60_000,
    });
    const controller = new AbortController();
    const result = client
      .request(echoOn(emulator), { signal: controller.signal })
      .catch((e: unknown) => e);
    await waitFor(() => client.metrics().retries === 1, 'the first attempt to fail');
    controller.abort();
    expect(await result).toBeInstanceOf(APIUserAbortError);
    await client.close();
  });

  it('bounds a request by its total deadline across attempts', async () => {
    emulator.setChaos({ error503: 1 });
    const scheduler = new ManualScheduler();
    const client = createClient({
      adminAPIKey: emulator.apiKey,
      baseURL: emulator.url,
      scheduler,
      initialRetryDelay: 1000,
      maxRetries: 50,
      deadline: 2500,
      random: () => 0.99,
    });
    const checkpoint = Object.keys(emulator.truth().permissions)[0]!;
    let failure: unknown;
    void lastValueFrom(permissionItems$(checkpoint, { client }).pipe(toArray())).catch(
      (e: unknown) => (failure = e),
    );
    // Between attempts the only timer pending is the backoff: run it in virtual time.
    await waitFor(() => {
      if (emulator.stats().inFlight === 0 && scheduler.pending === 1) scheduler.runNext();
      return failure !== undefined;
    }, 'the request to fail at its deadline');
    expect(failure).toBeInstanceOf(InternalServerError);
    // Attempt 1 at 0 ms, a 990 ms wait, attempt 2 at 990 ms; the next wait (1,980 ms) would end
    // at 2,970 ms, past the 2,500 ms deadline: the request fails there, without waiting.
    expect(emulator.stats().requests).toBe(2);
    expect(scheduler.now()).toBe(990);
    await client.close();
  });

  it('times an attempt out on its own scheduler', async () => {
    emulator.setLatency(10_000);
    const scheduler = new ManualScheduler();
    const client = createClient({
      adminAPIKey: emulator.apiKey,
      baseURL: emulator.url,
      scheduler,
      timeout: 5000,
      maxRetries: 0,
    });
    const result = firstValueFrom(client.request$(echoOn(emulator))).catch((e: unknown) => e);
    await waitFor(() => emulator.stats().inFlight === 1, 'the request to reach the emulator');
    scheduler.advance(5000);
    expect(await result).toBeInstanceOf(APIConnectionTimeoutError);
    await client.close();
  });

  it('bounds the wait for a turn in the limiter by the total deadline', async () => {
    const scripted = await startScriptedServer((req, res) =>
      json(res, 429, { error: { message: 'slow down' } }, { 'retry-after-ms': '2000' }),
    );
    const scheduler = new ManualScheduler();
    const client = createClient({
      adminAPIKey: 'k',
      baseURL: scripted.url,
      scheduler,
      maxRetries: 0,
      deadline: 200,
    });
    try {
      // The first request's 429 pauses the whole client for 2 s.
      await expect(firstValueFrom(client.request$(echo))).rejects.toThrow(/slow down/);
      const waiting = firstValueFrom(client.request$(echo)).catch((e: unknown) => e);
      await waitFor(
        () => client.metrics().limiter.queued === 1,
        'the second request to queue behind the pause',
      );
      scheduler.advance(200);
      const error = await waiting;
      expect(error).toBeInstanceOf(APIConnectionTimeoutError);
      expect((error as Error).message).toMatch(/total deadline of 200 ms/);
      // It never reached the wire: it timed out in the queue.
      expect(scripted.requests).toHaveLength(1);
      expect(client.metrics().limiter.queued).toBe(0);
    } finally {
      await client.close();
      await scripted.close();
    }
  });

  it('fails requests still waiting for a turn when the client closes', async () => {
    const scripted = await startScriptedServer((req, res) =>
      json(res, 429, { error: { message: 'slow down' } }, { 'retry-after-ms': '60000' }),
    );
    const client = createClient({ adminAPIKey: 'k', baseURL: scripted.url, maxRetries: 0 });
    await expect(firstValueFrom(client.request$(echo))).rejects.toThrow(/slow down/);
    const waiting = firstValueFrom(client.request$(echo)).catch((e: unknown) => e);
    await client.close();
    expect(await waiting).toBeInstanceOf(ClientClosedError);
    expect(scripted.requests).toHaveLength(1);
    await scripted.close();
  });

  it('a retried DELETE that finds a 404 after an answer was lost reports the deletion; writes keep one Idempotency-Key', async () => {
    let calls = 0;
    const scripted = await startScriptedServer((req, res) => {
      if (req.url?.endsWith('/cp_missing'))
        return json(res, 404, { error: { message: 'No such permission' } });
      calls++;
      // The first attempt of each write "succeeds" on the server, then the connection drops.
      if (calls % 2 === 1) return void res.socket?.destroy();
      if (req.method === 'DELETE')
        return json(res, 404, { error: { message: 'No such permission' } });
      json(res, 200, { object: 'list', data: [], has_more: false });
    });
    const client = createClient({ adminAPIKey: 'k', baseURL: scripted.url, initialRetryDelay: 1 });
    try {
      const deleted = await firstValueFrom(deletePermission$('ft:x', 'cp_1', { client }));
      expect(deleted).toEqual({ object: 'checkpoint.permission', id: 'cp_1', deleted: true });
      await firstValueFrom(createPermissions$('ft:x', ['proj_1'], { client }));
      const keys = scripted.requests.map((r) => r.headers['idempotency-key']);
      expect(keys[0]).toMatch(/^rxcp-/);
      expect(keys[1]).toBe(keys[0]);
      expect(keys[3]).toBe(keys[2]);
      expect(keys[2]).not.toBe(keys[0]);
      // A 404 with no lost answer before it is what it says: no such permission.
      await expect(
        firstValueFrom(deletePermission$('ft:x', 'cp_missing', { client })),
      ).rejects.toThrow(/No such permission/);
    } finally {
      await client.close();
      await scripted.close();
    }
  });

  it('rejects bad options with a ConfigError naming them', () => {
    expect(() => createClient({ timeout: -1 })).toThrow(
      /timeout must be a positive number of milliseconds \(above 0 to 2147483647, about 24\.8 days\), got -1/,
    );
    expect(() => createClient({ maxRetry: 3 } as never)).toThrow(/Unknown option maxRetry/);
    expect(() => createClient({ rateLimit: { maxConcurrency: 0 } })).toThrow(
      /rateLimit\.maxConcurrency/,
    );
  });
});

function echoOn(e: Emulator): RequestSpec<unknown> {
  const checkpoint = Object.keys(e.truth().permissions)[0]!;
  return {
    method: 'GET',
    path: `/fine_tuning/checkpoints/${encodeURIComponent(checkpoint)}/permissions`,
    parse: (body) => body,
  };
}

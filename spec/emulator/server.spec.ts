import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { call, eventually, originOf, permissionsPath } from './helpers.js';
import { ConfigError } from '../../src/errors.js';

describe('startEmulator', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(() => emulator.close());

  it('listens on 127.0.0.1 with an ephemeral port and the default key', () => {
    expect(emulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect(emulator.apiKey).toBe('sk-admin-emulator');
  });

  it('gives every response its own x-request-id', async () => {
    const responses = await Promise.all([
      call(emulator, '/fine_tuning/jobs'),
      call(emulator, '/fine_tuning/jobs', { key: null }),
      call(emulator, '/nope'),
      fetch(`${originOf(emulator)}/elsewhere`),
      fetch(`${originOf(emulator)}/__emulator/stats`),
    ]);
    const ids = responses.map((response) => response.headers.get('x-request-id'));
    for (const id of ids) expect(id).toMatch(/^req_[0-9a-f]{32}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('answers paths outside /v1 with a 404 JSON error', async () => {
    const response = await fetch(`${originOf(emulator)}/v2/fine_tuning/jobs`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({
      error: { message: 'Invalid URL (GET /v2/fine_tuning/jobs)', type: 'invalid_request_error' },
    });
  });

  it('is deterministic: the same seed serves the same organisation', async () => {
    const twin = await startEmulator();
    try {
      expect(twin.truth()).toEqual(emulator.truth());
    } finally {
      await twin.close();
    }
  });
});

describe('options', () => {
  it('accepts a custom admin key (or its old name apiKey), seed and organisation', async () => {
    const emulator = await startEmulator({
      adminKey: 'sk-org-secret',
      seed: 42,
      organization: { jobs: 2, checkpointsPerJob: 1 },
    });
    const legacy = await startEmulator({ apiKey: 'sk-legacy-name' });
    try {
      expect(emulator.adminKey).toBe('sk-org-secret');
      expect(emulator.apiKey).toBe('sk-org-secret');
      expect(legacy.adminKey).toBe('sk-legacy-name');
      expect(emulator.truth().jobs).toHaveLength(2);
      expect((await call(emulator, '/organization/projects')).status).toBe(200);
      expect((await call(emulator, '/fine_tuning/jobs')).status).toBe(200);
      expect((await call(emulator, '/organization/projects', { key: 'sk-admin-x' })).status).toBe(
        401,
      );
      await legacy.close();
    } finally {
      await emulator.close();
    }
  });

  it('listens on a given port', async () => {
    const probe = await startEmulator();
    const port = Number(new URL(probe.url).port);
    await probe.close();
    const emulator = await startEmulator({ port });
    try {
      expect(emulator.url).toBe(`http://127.0.0.1:${port}/v1`);
      await expect(startEmulator({ port })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await emulator.close();
    }
  });

  it.each([
    [{ port: -1 }, /port must be an integer from 0 to 65535/],
    [{ port: 1.5 }, /port/],
    [{ seed: 0.5 }, /seed must be an integer/],
    [{ maxLimit: 0 }, /maxLimit must be an integer >= 1/],
    [{ latencyMs: -5 }, /latencyMs must be a number of ms from 0 to/],
    [{ apiKey: '' }, /apiKey must be a non-empty string/],
    [{ apiKey: 'has space' }, /apiKey/],
    [{ adminKey: 5 }, /adminKey must be a non-empty string/],
    [{ rateLimit: { requestsPerMinute: 0 } }, /requestsPerMinute/],
    [{ chaos: { reset: 2 } }, /chaos\.reset/],
  ])('rejects %j', async (options, message) => {
    await expect(startEmulator(options as never)).rejects.toThrow(message);
  });

  it('applies the fixed latency to every API request, and setLatency changes it', async () => {
    const emulator = await startEmulator({ latencyMs: 150 });
    try {
      let started = performance.now();
      await call(emulator, '/fine_tuning/jobs', { key: null });
      expect(performance.now() - started).toBeGreaterThanOrEqual(145);
      emulator.setLatency(0);
      started = performance.now();
      await call(emulator, '/fine_tuning/jobs');
      expect(performance.now() - started).toBeLessThan(145);
      expect(() => emulator.setLatency(-1)).toThrow(ConfigError);
    } finally {
      await emulator.close();
    }
  });
});

describe('isolation', () => {
  it('keeps two emulators in one process apart', async () => {
    const [a, b] = await Promise.all([
      startEmulator({ rateLimit: { requestsPerMinute: 60, burst: 1 } }),
      startEmulator({ chaos: { error503: 1 } }),
    ]);
    try {
      const name = Object.keys(a.truth().permissions)[0] as string;
      await call(a, permissionsPath(name), {
        method: 'POST',
        // A project with no access yet, so the create writes something.
        body: {
          project_ids: [
            a
              .truth()
              .projects.find(
                (p) =>
                  p.id !== a.truth().owners[name] &&
                  !a.truth().permissions[name]?.some((q) => q.project_id === p.id),
              )?.id,
          ],
        },
      });
      expect(a.truth()).not.toEqual(b.truth());
      expect((await call(a, '/fine_tuning/jobs')).status).toBe(429);
      expect((await call(b, '/fine_tuning/jobs')).status).toBe(503);
      expect(a.stats().requests).toBe(2);
      expect(b.stats().requests).toBe(1);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('close', () => {
  const handles = (type: string) =>
    process.getActiveResourcesInfo().filter((resource) => resource === type).length;

  it('stops listening, ends keep-alive and in-flight requests, and clears timers', async () => {
    // Every other emulator of this file is closed by now, so nothing else holds a TCP handle.
    const timersBefore = handles('Timeout');
    const emulator = await startEmulator();

    // A keep-alive connection, and a request parked in a 10 s latency timer.
    await request(`${emulator.url}/fine_tuning/jobs`, {
      headers: { authorization: `Bearer ${emulator.apiKey}` },
    }).then((response) => response.body.dump());
    emulator.setLatency(10_000);
    const parked = call(emulator, '/fine_tuning/jobs').catch((error: unknown) => error);
    await eventually(() => expect(emulator.stats().inFlight).toBe(1));
    expect(handles('TCPSocketWrap')).toBeGreaterThan(0);

    const started = performance.now();
    await emulator.close();
    expect(performance.now() - started).toBeLessThan(1000);
    expect(await parked).toBeInstanceOf(Error);
    // libuv releases closed handles on a later turn of the event loop.
    await eventually(() => {
      expect(handles('TCPServerWrap')).toBe(0);
      expect(handles('TCPSocketWrap')).toBe(0);
      expect(handles('Timeout')).toBeLessThanOrEqual(timersBefore);
    });
    await expect(fetch(`${emulator.url}/fine_tuning/jobs`)).rejects.toThrow();
  });

  it('can be called twice', async () => {
    const emulator = await startEmulator();
    await Promise.all([emulator.close(), emulator.close()]);
    await emulator.close();
  });
});

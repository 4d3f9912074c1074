import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { Stats } from '../../src/emulator/stats.js';
import { call, eventually, permissionsPath } from './helpers.js';

describe('Stats', () => {
  it('counts and resets, keeping the requests in flight', () => {
    const stats = new Stats();
    stats.received();
    stats.received();
    stats.answered(200);
    stats.answered(429);
    stats.answered('reset');
    stats.faulted();
    stats.pageServed({ permissions: true, items: 10 });
    stats.pageServed({ permissions: false, items: 3 });
    stats.settled();
    stats.aborted();
    expect(stats.snapshot()).toEqual({
      requests: 2,
      byStatus: { '200': 1, '429': 1, reset: 1 },
      faults: 1,
      rateLimited: 1,
      pagesServed: 2,
      permissionPagesServed: 1,
      itemsServed: 13,
      permissionItemsServed: 10,
      inFlight: 1,
      maxInFlight: 2,
      aborted: 1,
    });
    stats.reset();
    expect(stats.snapshot()).toMatchObject({
      requests: 0,
      byStatus: {},
      inFlight: 1,
      maxInFlight: 1,
    });
  });

  it('hands out copies', () => {
    const stats = new Stats();
    stats.snapshot().byStatus['200'] = 5;
    expect(stats.snapshot().byStatus).toEqual({});
  });
});

describe('stats over HTTP', () => {
  let emulator: Emulator;
  let sizes: Record<string, number>;
  const named = (size: number) => Object.keys(sizes).find((name) => sizes[name] === size) as string;

  beforeAll(async () => {
    emulator = await startEmulator();
    sizes = Object.fromEntries(
      Object.entries(emulator.truth().permissions).map(([name, list]) => [name, list.length]),
    );
  });
  beforeEach(() => {
    emulator.setLatency(0);
    emulator.setChaos({});
    emulator.setRateLimit(false);
    emulator.resetStats();
  });
  afterAll(() => emulator.close());

  it('counts requests, statuses, pages and items exactly', async () => {
    await call(emulator, permissionsPath(named(11))); // 10 items
    await call(emulator, permissionsPath(named(11), 'order=ascending&limit=100')); // 11 items
    await call(emulator, permissionsPath(named(0))); // an empty page is a page
    await call(emulator, '/fine_tuning/jobs?limit=2'); // 2 jobs
    await call(emulator, permissionsPath(named(11), 'limit=0')); // 400
    await call(emulator, permissionsPath('ft:nope')); // 404
    await call(emulator, '/nope'); // 404
    await call(emulator, '/fine_tuning/jobs', { key: null }); // 401
    await call(emulator, '/fine_tuning/jobs', { key: emulator.adminKey }); // 401: the wrong kind
    const granted = emulator.truth().permissions[named(11)]?.[0]?.project_id;
    await call(emulator, permissionsPath(named(11)), {
      method: 'POST',
      body: { project_ids: [granted] }, // 200, idempotent
    });
    expect(emulator.stats()).toEqual({
      requests: 10,
      byStatus: { '200': 5, '400': 1, '401': 2, '404': 2 },
      faults: 0,
      rateLimited: 0,
      pagesServed: 4,
      permissionPagesServed: 3,
      itemsServed: 23,
      permissionItemsServed: 21,
      inFlight: 0,
      maxInFlight: 1,
      aborted: 0,
    });
  });

  it('does not count control routes or paths outside /v1', async () => {
    await fetch(`${emulator.url.replace(/\/v1$/, '')}/__emulator/stats`);
    await fetch(`${emulator.url.replace(/\/v1$/, '')}/elsewhere`);
    expect(emulator.stats().requests).toBe(0);
  });

  it('tracks concurrent requests in inFlight and maxInFlight', async () => {
    // Long enough for all six to arrive before the first is answered, even on a busy machine.
    emulator.setLatency(200);
    const pending = Array.from({ length: 6 }, () => call(emulator, '/fine_tuning/jobs?limit=1'));
    await eventually(() => expect(emulator.stats().inFlight).toBe(6));
    await Promise.all(pending);
    expect(emulator.stats()).toMatchObject({ inFlight: 0, maxInFlight: 6, pagesServed: 6 });
  });

  it('counts a client that gives up during the latency as aborted, not served', async () => {
    emulator.setLatency(1000);
    const controller = new AbortController();
    const pending = call(emulator, '/fine_tuning/jobs', { signal: controller.signal });
    await eventually(() => expect(emulator.stats().inFlight).toBe(1));
    controller.abort();
    await expect(pending).rejects.toThrow();
    await eventually(() => expect(emulator.stats().aborted).toBe(1));
    expect(emulator.stats()).toMatchObject({
      requests: 1,
      byStatus: {},
      inFlight: 0,
      pagesServed: 0,
    });
  });

  it('counts a client that leaves during a slow body as aborted, not served', async () => {
    emulator.setChaos({ slowBody: 1, slowBodyMs: 1000 });
    const controller = new AbortController();
    const response = await fetch(`${emulator.url}${permissionsPath(named(250), 'limit=100')}`, {
      headers: { authorization: `Bearer ${emulator.apiKey}` },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    controller.abort();
    await eventually(() => expect(emulator.stats().aborted).toBe(1));
    expect(emulator.stats()).toMatchObject({ byStatus: { '200': 1 }, pagesServed: 0, inFlight: 0 });
  });

  it('counts a client that leaves while sending its body as aborted', async () => {
    const req = httpRequest(`${emulator.url}${permissionsPath(named(11))}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${emulator.apiKey}`, 'content-type': 'application/json' },
    });
    req.on('error', () => {});
    req.write('{"project_ids": [');
    await eventually(() => expect(emulator.stats().inFlight).toBe(1));
    req.destroy();
    await eventually(() => expect(emulator.stats()).toMatchObject({ aborted: 1, inFlight: 0 }));
    expect(emulator.stats().byStatus).toEqual({});
  });

  it('satisfies data requests <= pages + faults + 429s under chaos and rate limits', async () => {
    emulator.setChaos({ error500: 0.2, error503: 0.1, seed: 3 });
    emulator.setRateLimit({ requestsPerMinute: 60, burst: 10 });
    for (let i = 0; i < 20; i++) await call(emulator, permissionsPath(named(11)));
    const stats = emulator.stats();
    expect(stats.requests).toBe(20);
    expect(stats.rateLimited).toBe(10);
    expect(stats.pagesServed + stats.faults + stats.rateLimited).toBe(20);
    expect(stats.faults).toBeGreaterThan(0);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { call, originOf, permissionsPath } from './helpers.js';

let emulator: Emulator;
let origin: string;

const control = async (
  path: string,
  body?: unknown,
  method = body === undefined ? 'GET' : 'POST',
) => {
  const response = await fetch(`${origin}/__emulator${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests index into bodies freely
  const json: any = await response.json();
  return { status: response.status, headers: response.headers, body: json };
};

beforeAll(async () => {
  emulator = await startEmulator();
  origin = originOf(emulator);
});
afterAll(() => emulator.close());

describe('control routes', () => {
  it('GET /__emulator/stats answers the counters, without a key', async () => {
    await call(emulator, '/fine_tuning/jobs');
    const response = await control('/stats');
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
    expect(response.body).toEqual(emulator.stats());
    expect(response.body.requests).toBeGreaterThan(0);
  });

  it('GET /__emulator/truth answers the ground truth', async () => {
    expect((await control('/truth')).body).toEqual(emulator.truth());
  });

  it('POST /__emulator/reset-stats zeroes the counters', async () => {
    await call(emulator, '/fine_tuning/jobs');
    const response = await control('/reset-stats', {});
    expect(response.body.requests).toBe(0);
    expect(emulator.stats().requests).toBe(0);
  });

  it('POST /__emulator/chaos sets chaos and answers it resolved', async () => {
    const response = await control('/chaos', { error503: 1 });
    expect(response.body).toMatchObject({ error503: 1, error500: 0, latencyMs: 200, seed: 1 });
    expect((await call(emulator, '/fine_tuning/jobs')).status).toBe(503);
    await control('/chaos', {});
    expect((await call(emulator, '/fine_tuning/jobs')).status).toBe(200);
  });

  it('POST /__emulator/rate-limit sets or clears the rate limit', async () => {
    const response = await control('/rate-limit', { requestsPerMinute: 60, burst: 1 });
    expect(response.body).toEqual({ requestsPerMinute: 60, burst: 1 });
    expect((await call(emulator, '/fine_tuning/jobs')).status).toBe(200);
    expect((await call(emulator, '/fine_tuning/jobs')).status).toBe(429);
    expect((await control('/rate-limit', false)).body).toBe(false);
    const free = await call(emulator, '/fine_tuning/jobs');
    expect(free.status).toBe(200);
    expect(free.headers.get('x-ratelimit-limit-requests')).toBeNull();
  });

  it('POST /__emulator/latency sets the fixed latency', async () => {
    expect((await control('/latency', { ms: 25 })).body).toEqual({ ms: 25 });
    const started = performance.now();
    await call(emulator, permissionsPath(Object.keys(emulator.truth().permissions)[0] as string));
    expect(performance.now() - started).toBeGreaterThanOrEqual(20);
    await control('/latency', { ms: 0 });
  });

  it.each([
    ['/chaos', { error500: 2 }, /chaos\.error500/],
    ['/chaos', [1], /chaos must be an object/],
    ['/rate-limit', { requestsPerMinute: 0 }, /requestsPerMinute/],
    ['/latency', { ms: -1 }, /latencyMs/],
    ['/latency', null, /latencyMs/],
  ])('POST /__emulator%s %j -> 400 naming the field', async (path, body, message) => {
    const response = await control(path, body);
    expect(response.status).toBe(400);
    expect(response.body.error.message).toMatch(message);
  });

  it('answers 400 for a body that is not JSON', async () => {
    const response = await fetch(`${origin}/__emulator/chaos`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{',
    });
    expect(response.status).toBe(400);
  });

  it.each([
    ['GET', '/nope'],
    ['POST', '/stats'],
    ['GET', '/chaos'],
  ])('%s /__emulator%s -> 404', async (method, path) => {
    const response = await control(path, undefined, method);
    expect(response.status).toBe(404);
    expect(response.body.error.message).toContain('Invalid URL');
  });
});

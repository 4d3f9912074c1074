import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resolveChaos, rollChaos, type FaultKind } from '../../src/emulator/chaos.js';
import { chaosEverywhere, startEmulator, type Emulator } from '../../src/emulator/index.js';
import { mulberry32 } from '../../src/emulator/prng.js';
import { call, permissionsPath } from './helpers.js';
import { ConfigError } from '../../src/errors.js';

describe('resolveChaos', () => {
  it('fills in the defaults: nothing happens, 200 ms amounts, the emulator seed', () => {
    expect(resolveChaos({}, 9)).toEqual({
      seed: 9,
      error500: 0,
      error502Html: 0,
      error503: 0,
      reset: 0,
      truncate: 0,
      latency: 0,
      latencyMs: 200,
      slowBody: 0,
      slowBodyMs: 200,
      auditLogDelayMs: 0,
    });
  });

  it('ignores fields set to undefined', () => {
    expect(resolveChaos({ error500: undefined, seed: undefined }, 3)).toMatchObject({
      error500: 0,
      seed: 3,
    });
  });

  it.each([
    [{ error500: 1.5 }, /chaos\.error500 must be a probability/],
    [{ reset: -0.1 }, /chaos\.reset must be a probability/],
    [{ latencyMs: -1 }, /chaos\.latencyMs must be a duration/],
    [{ slowBodyMs: Infinity }, /chaos\.slowBodyMs must be a duration/],
    [{ seed: 1.5 }, /chaos\.seed must be an integer/],
    [{ error500: 0.6, error503: 0.6 }, /add up to 1\.2/],
    [{ errors: 1 }, /chaos\.errors is not a chaos setting/],
  ])('rejects %j', (settings, message) => {
    expect(() => resolveChaos(settings as never, 1)).toThrow(message);
  });

  it('rejects a non-object', () => {
    expect(() => resolveChaos(null as never, 1)).toThrow(ConfigError);
  });
});

describe('chaosEverywhere', () => {
  it('spreads p evenly over the five fault kinds, without latency', () => {
    expect(chaosEverywhere(0.1)).toEqual({
      error500: 0.02,
      error502Html: 0.02,
      error503: 0.02,
      reset: 0.02,
      truncate: 0.02,
    });
    expect(() => resolveChaos(chaosEverywhere(1), 1)).not.toThrow();
  });

  it.each([-0.1, 1.1, Number.NaN])('rejects %d', (p) => {
    expect(() => chaosEverywhere(p)).toThrow(ConfigError);
  });
});

describe('rollChaos', () => {
  const rolls = (settings: object, n: number, seed = 1) => {
    const chaos = resolveChaos(settings, seed);
    const random = mulberry32(seed);
    return Array.from({ length: n }, () => rollChaos(chaos, random));
  };

  it.each(['error500', 'error502Html', 'error503', 'reset', 'truncate'] as const)(
    'probability 1 of %s always gives it, with no latency',
    (kind: FaultKind) => {
      for (const roll of rolls({ [kind]: 1, latency: 1, slowBody: 1 }, 50)) {
        expect(roll).toMatchObject({ fault: kind, latencyMs: 0, slowBodyMs: 0 });
      }
    },
  );

  it('does nothing by default', () => {
    for (const roll of rolls({}, 100)) {
      expect(roll).toMatchObject({ fault: undefined, latencyMs: 0, slowBodyMs: 0 });
    }
  });

  it('adds latency and slow bodies to requests without a fault', () => {
    const [roll] = rolls({ latency: 1, latencyMs: 30, slowBody: 1, slowBodyMs: 40 }, 1);
    expect(roll).toEqual({
      fault: undefined,
      shouldRetry: expect.any(Boolean),
      latencyMs: 30,
      slowBodyMs: 40,
    });
  });

  it('repeats for a seed and matches the probabilities roughly', () => {
    const settings = chaosEverywhere(0.5);
    expect(rolls(settings, 200)).toEqual(rolls(settings, 200));
    const faults = rolls(settings, 10_000).filter((roll) => roll.fault).length;
    expect(faults).toBeGreaterThan(4700);
    expect(faults).toBeLessThan(5300);
  });

  it('marks about half the 500s x-should-retry', () => {
    const retry = rolls({ error500: 1 }, 1000).filter((roll) => roll.shouldRetry).length;
    expect(retry).toBeGreaterThan(400);
    expect(retry).toBeLessThan(600);
  });
});

describe('chaos over HTTP', () => {
  let emulator: Emulator;
  let checkpoint: string;
  beforeAll(async () => {
    emulator = await startEmulator({ rateLimit: { requestsPerMinute: 60_000, burst: 1000 } });
    checkpoint = Object.keys(emulator.truth().permissions).find(
      (name) => emulator.truth().permissions[name]?.length === 11,
    ) as string;
  });
  beforeEach(() => {
    emulator.setChaos({});
    emulator.resetStats();
  });
  afterAll(() => emulator.close());

  it('error500: a server_error, some with x-should-retry: true', async () => {
    emulator.setChaos({ error500: 1 });
    const responses = await Promise.all(
      Array.from({ length: 12 }, () => call(emulator, permissionsPath(checkpoint))),
    );
    for (const response of responses) {
      expect(response.status).toBe(500);
      expect(response.body.error).toMatchObject({ type: 'server_error', param: null, code: null });
      expect(response.headers.get('x-request-id')).toMatch(/^req_/);
      expect(response.headers.get('x-ratelimit-limit-requests')).toBe('60000');
    }
    const retry = responses.map((response) => response.headers.get('x-should-retry'));
    expect(retry).toContain('true');
    expect(retry).toContain(null);
    expect(emulator.stats()).toMatchObject({ faults: 12, byStatus: { '500': 12 }, pagesServed: 0 });
  });

  it('error502Html: a 502 with an HTML body, as a proxy sends', async () => {
    emulator.setChaos({ error502Html: 1 });
    const response = await call(emulator, permissionsPath(checkpoint));
    expect(response.status).toBe(502);
    expect(response.headers.get('content-type')).toBe('text/html');
    expect(response.text).toContain('<h1>502 Bad Gateway</h1>');
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
    expect(emulator.stats()).toMatchObject({ faults: 1, byStatus: { '502': 1 } });
  });

  it('error503: a 503 with x-should-retry: true', async () => {
    emulator.setChaos({ error503: 1 });
    const response = await call(emulator, permissionsPath(checkpoint));
    expect(response.status).toBe(503);
    expect(response.headers.get('x-should-retry')).toBe('true');
    expect(response.body.error.type).toBe('server_error');
    expect(emulator.stats()).toMatchObject({ faults: 1, byStatus: { '503': 1 } });
  });

  it('reset: the connection drops before any byte', async () => {
    emulator.setChaos({ reset: 1 });
    const failure = await request(`${emulator.url}${permissionsPath(checkpoint)}`, {
      headers: { authorization: `Bearer ${emulator.apiKey}` },
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as { code?: string }).code).toMatch(/ECONNRESET|UND_ERR_SOCKET/);
    expect(emulator.stats()).toMatchObject({ faults: 1, byStatus: { reset: 1 }, aborted: 0 });
  });

  it('truncate: the full content-length, half the body, then the socket closes', async () => {
    emulator.setChaos({ truncate: 1 });
    const response = await request(`${emulator.url}${permissionsPath(checkpoint)}`, {
      headers: { authorization: `Bearer ${emulator.apiKey}` },
    });
    expect(response.statusCode).toBe(200);
    expect(Number(response.headers['content-length'])).toBeGreaterThan(100);
    await expect(response.body.text()).rejects.toThrow();
    expect(emulator.stats()).toMatchObject({
      faults: 1,
      byStatus: { truncated: 1 },
      pagesServed: 0,
      aborted: 0,
    });
  });

  it('latency: delays a normal response, and is not a fault', async () => {
    emulator.setChaos({ latency: 1, latencyMs: 40 });
    const started = performance.now();
    const response = await call(emulator, permissionsPath(checkpoint));
    expect(performance.now() - started).toBeGreaterThanOrEqual(35);
    expect(response.status).toBe(200);
    expect(emulator.stats()).toMatchObject({ faults: 0, pagesServed: 1 });
  });

  it('slowBody: the body arrives in pieces over slowBodyMs, complete', async () => {
    emulator.setChaos({ slowBody: 1, slowBodyMs: 60 });
    const started = performance.now();
    const response = await request(`${emulator.url}${permissionsPath(checkpoint)}`, {
      headers: { authorization: `Bearer ${emulator.apiKey}` },
    });
    let chunks = 0;
    let text = '';
    for await (const chunk of response.body) {
      chunks++;
      text += String(chunk);
    }
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
    expect(chunks).toBeGreaterThan(1);
    expect(JSON.parse(text).data).toHaveLength(10);
    expect(emulator.stats()).toMatchObject({ faults: 0, pagesServed: 1, itemsServed: 10 });
  });

  it('repeats for the same sequence of requests after setChaos', async () => {
    const statuses = async () => {
      emulator.setChaos({ ...chaosEverywhere(0.6), reset: 0, truncate: 0, seed: 5 });
      const seen: number[] = [];
      for (let i = 0; i < 20; i++)
        seen.push((await call(emulator, permissionsPath(checkpoint))).status);
      return seen;
    };
    const first = await statuses();
    expect(new Set(first).size).toBeGreaterThan(1);
    expect(await statuses()).toEqual(first);
  });

  it('leaves the control routes alone', async () => {
    emulator.setChaos({ reset: 1 });
    const response = await fetch(`${emulator.url.replace(/\/v1$/, '')}/__emulator/stats`);
    expect(response.status).toBe(200);
  });
});

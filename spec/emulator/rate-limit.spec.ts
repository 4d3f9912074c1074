import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import {
  rateLimitExceeded,
  rateLimitHeaders,
  resolveRateLimit,
} from '../../src/emulator/rate-limit.js';
import { fullBucket, takeToken } from '../../src/emulator/token-bucket.js';
import { call } from './helpers.js';
import { ConfigError } from '../../src/errors.js';

describe('resolveRateLimit', () => {
  it.each([
    [{ requestsPerMinute: 60 }, { requestsPerMinute: 60, burst: 1 }],
    [{ requestsPerMinute: 61 }, { requestsPerMinute: 61, burst: 2 }],
    [{ requestsPerMinute: 6000 }, { requestsPerMinute: 6000, burst: 100 }],
    [{ requestsPerMinute: 1 }, { requestsPerMinute: 1, burst: 1 }],
    [
      { requestsPerMinute: 600, burst: 3 },
      { requestsPerMinute: 600, burst: 3 },
    ],
  ])('%j -> %j', (settings, resolved) => {
    expect(resolveRateLimit(settings)).toEqual(resolved);
  });

  it('treats false as unlimited', () => {
    expect(resolveRateLimit(false)).toBeUndefined();
  });

  it.each([
    [{ requestsPerMinute: 0 }, /requestsPerMinute must be a positive integer/],
    [{ requestsPerMinute: 1.5 }, /requestsPerMinute/],
    [{}, /requestsPerMinute/],
    [{ requestsPerMinute: 60, burst: 0 }, /burst must be a positive integer/],
    [null, /rateLimit must be false/],
    [true, /rateLimit must be false/],
  ])('rejects %j', (settings, message) => {
    expect(() => resolveRateLimit(settings as never)).toThrow(message);
  });
});

describe('rateLimitHeaders', () => {
  it.each([
    // rpm, burst, requests at t=0, expected remaining, reset
    [60, 1, 1, '0', '1s'],
    [60, 3, 1, '2', '1s'],
    [60, 3, 2, '1', '2s'],
    [600, 10, 4, '6', '400ms'],
    [1, 1, 1, '0', '1m0s'],
    [90, 3, 3, '0', '2s'],
    [40, 2, 2, '0', '3s'],
    [80, 2, 2, '0', '1.5s'],
  ])(
    'rpm %d burst %d after %d requests: remaining %s, reset %s',
    (rpm, burst, n, remaining, reset) => {
      let bucket = fullBucket(rpm, burst, 0);
      let decision = takeToken(bucket, 0);
      for (let i = 1; i < n; i++) {
        bucket = decision.bucket;
        decision = takeToken(bucket, 0);
      }
      expect(rateLimitHeaders({ requestsPerMinute: rpm, burst }, decision)).toEqual({
        'x-ratelimit-limit-requests': String(rpm),
        'x-ratelimit-remaining-requests': remaining,
        'x-ratelimit-reset-requests': reset,
      });
    },
  );
});

describe('rateLimitExceeded', () => {
  it('rounds retry-after up to whole seconds and retry-after-ms up to whole ms', () => {
    const limit = { requestsPerMinute: 60, burst: 1 };
    const empty = takeToken(fullBucket(60, 1, 0), 0).bucket;
    const { headers, body } = rateLimitExceeded(limit, takeToken(empty, 250.5), 'org-x');
    expect(headers).toEqual({ 'retry-after': '1', 'retry-after-ms': '750' });
    expect(body.error).toMatchObject({
      type: 'requests',
      code: 'rate_limit_exceeded',
      param: null,
    });
    expect(body.error.message).toContain('org-x');
    expect(body.error.message).toContain('Limit 60');
  });

  it('says several seconds when the wait is long', () => {
    const limit = { requestsPerMinute: 1, burst: 1 };
    const empty = takeToken(fullBucket(1, 1, 0), 0).bucket;
    expect(rateLimitExceeded(limit, takeToken(empty, 0), 'org-x').headers).toEqual({
      'retry-after': '60',
      'retry-after-ms': '60000',
    });
  });
});

describe('rate limiting over HTTP', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(() => emulator.close());

  it('sends no x-ratelimit headers at all when off (the default)', async () => {
    emulator.setRateLimit(false);
    const response = await call(emulator, '/fine_tuning/jobs');
    expect(response.status).toBe(200);
    const names = [...response.headers.keys()];
    expect(names.filter((name) => name.startsWith('x-ratelimit'))).toEqual([]);
    expect(response.headers.get('retry-after')).toBeNull();
  });

  it('sends the headers on every response and a 429 once the burst is spent', async () => {
    // 60 rpm refills one token per second: far slower than this test, so the counts are exact.
    emulator.setRateLimit({ requestsPerMinute: 60, burst: 3 });
    emulator.resetStats();
    const responses = [];
    for (let i = 0; i < 5; i++) responses.push(await call(emulator, '/fine_tuning/jobs?limit=1'));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 429, 429]);
    expect(responses.map((r) => r.headers.get('x-ratelimit-remaining-requests'))).toEqual([
      '2',
      '1',
      '0',
      '0',
      '0',
    ]);
    for (const response of responses) {
      expect(response.headers.get('x-ratelimit-limit-requests')).toBe('60');
      expect(response.headers.get('x-ratelimit-reset-requests')).toMatch(/^(\d+ms|[\d.]+s)$/);
      expect(response.headers.get('x-request-id')).toMatch(/^req_/);
    }
    const limited = responses[3];
    expect(limited?.body.error).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded' });
    expect(limited?.headers.get('retry-after')).toBe('1');
    const retryAfterMs = Number(limited?.headers.get('retry-after-ms'));
    expect(retryAfterMs).toBeGreaterThan(900);
    expect(retryAfterMs).toBeLessThanOrEqual(1000);
    expect(emulator.stats()).toMatchObject({
      requests: 5,
      rateLimited: 2,
      byStatus: { '200': 3, '429': 2 },
      pagesServed: 3,
    });
  });

  it('refills over time', async () => {
    emulator.setRateLimit({ requestsPerMinute: 60_000, burst: 1 });
    expect((await call(emulator, '/fine_tuning/jobs?limit=1')).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await call(emulator, '/fine_tuning/jobs?limit=1')).status).toBe(200);
  });

  it('charges 404s and 400s too: they reached the organisation', async () => {
    emulator.setRateLimit({ requestsPerMinute: 60, burst: 2 });
    expect((await call(emulator, '/fine_tuning/jobs/ftjob-nope')).status).toBe(404);
    expect((await call(emulator, '/fine_tuning/jobs?limit=0')).status).toBe(400);
    expect((await call(emulator, '/fine_tuning/jobs')).status).toBe(429);
  });

  it('does not charge unknown URLs, which are answered before authentication', async () => {
    emulator.setRateLimit({ requestsPerMinute: 60, burst: 1 });
    const unknown = await call(emulator, '/models');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('x-ratelimit-limit-requests')).toBeNull();
    expect((await call(emulator, '/fine_tuning/jobs')).status).toBe(200);
  });

  it('validates settings given at runtime', () => {
    expect(() => emulator.setRateLimit({ requestsPerMinute: -1 })).toThrow(ConfigError);
  });
});

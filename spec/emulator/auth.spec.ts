import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate, maskKey } from '../../src/emulator/auth.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { call } from './helpers.js';

const settings = { apiKey: 'sk-admin-emulator', adminKeyPrefix: 'sk-admin-' };

describe('authenticate', () => {
  it.each([
    ['Bearer sk-admin-emulator', undefined],
    ['bearer sk-admin-emulator', undefined],
    ['Bearer   sk-admin-emulator  ', undefined],
    [undefined, 401],
    ['', 401],
    ['Bearer', 401],
    ['Basic sk-admin-emulator', 401],
    ['sk-admin-emulator', 401],
    ['Bearer sk-admin-wrong', 401],
    ['Bearer not-a-key', 401],
    ['Bearer sk-proj-abc123', 403],
    ['Bearer sk-abc123', 403],
    ['Bearer sk-svcacct-abc123', 403],
  ])('%j -> %s', (header, status) => {
    expect(authenticate(header, settings)?.status).toBe(status);
  });

  it('says which problem it is, as OpenAI does', () => {
    expect(authenticate(undefined, settings)?.body.error).toMatchObject({
      type: 'invalid_request_error',
      code: 'invalid_api_key',
      param: null,
      message: expect.stringContaining("You didn't provide an API key"),
    });
    expect(authenticate('Bearer sk-admin-wrong-0123456789', settings)?.body.error).toMatchObject({
      code: 'invalid_api_key',
      message: expect.stringMatching(/^Incorrect API key provided: sk-\*+6789\./),
    });
    expect(authenticate('Bearer sk-proj-0123456789', settings)?.body.error.message).toMatch(
      /requires an admin API key/,
    );
  });

  it('honours another accepted key and admin prefix', () => {
    const custom = { apiKey: 'test-key', adminKeyPrefix: 'sk-org-' };
    expect(authenticate('Bearer test-key', custom)).toBeUndefined();
    expect(authenticate('Bearer sk-org-x', custom)?.status).toBe(401);
    expect(authenticate('Bearer sk-admin-x', custom)?.status).toBe(403);
  });
});

describe('maskKey', () => {
  it.each([
    ['sk-admin-0123456789abcdef', 'sk-******************cdef'],
    ['sk-12345678', '***********'],
    ['abcdefghijkl', 'abc*****ijkl'],
    ['', ''],
  ])('%s -> %s', (key, masked) => {
    expect(maskKey(key)).toBe(masked);
  });

  it('never reveals more than seven characters of a key', () => {
    for (let length = 0; length < 80; length++) {
      const key = 'x'.repeat(length);
      expect(maskKey(key)).toHaveLength(length);
      expect(maskKey(key).replace(/\*/g, '').length).toBeLessThanOrEqual(7);
    }
  });
});

describe('auth over HTTP', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ rateLimit: { requestsPerMinute: 600, burst: 100 } });
  });
  afterAll(() => emulator.close());

  it('answers 401 without a key, with a request id and no rate-limit headers', async () => {
    const response = await call(emulator, '/fine_tuning/jobs', { key: null });
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('invalid_api_key');
    expect(response.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{32}$/);
    expect(response.headers.get('x-ratelimit-limit-requests')).toBeNull();
  });

  it('answers 401 for a wrong key and never echoes it whole', async () => {
    const key = 'sk-admin-this-is-not-the-right-key-1234';
    const response = await call(emulator, '/fine_tuning/jobs', { key });
    expect(response.status).toBe(401);
    expect(response.text).not.toContain(key);
    expect(response.text).not.toContain('this-is-not');
  });

  it('answers 403 for a non-admin key', async () => {
    const response = await call(emulator, '/fine_tuning/jobs', { key: 'sk-proj-abcdef' });
    expect(response.status).toBe(403);
    expect(response.body.error.type).toBe('invalid_request_error');
    expect(response.text).not.toContain('sk-proj-abcdef');
  });

  it('spends no rate-limit token on a 401 or 403', async () => {
    emulator.setRateLimit({ requestsPerMinute: 60, burst: 1 });
    await call(emulator, '/fine_tuning/jobs', { key: null });
    await call(emulator, '/fine_tuning/jobs', { key: 'sk-proj-x' });
    const response = await call(emulator, '/fine_tuning/jobs');
    expect(response.status).toBe(200);
    expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('0');
  });
});

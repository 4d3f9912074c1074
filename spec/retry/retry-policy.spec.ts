import { describe, expect, it } from 'vitest';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  ConfigError,
  ProtocolError,
} from '../../src/errors.js';
import { rateLimitSignalOf } from '../../src/internal/http/rate-limit-headers.js';
import {
  classifyFailure,
  decideRetry,
  retryDelay,
  type RetryPolicy,
} from '../../src/internal/retry/retry-policy.js';

const POLICY: RetryPolicy = {
  maxRetries: 6,
  initialRetryDelay: 500,
  maxRetryDelay: 8_000,
  maxRetryAfter: 60_000,
  deadline: Infinity,
};
const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);
const half = (): number => 0.5;

/** A response's error as the transport builds it: its pacing headers read on arrival (at NOW). */
function status(code: number, headers: Record<string, string> = {}): APIError {
  return APIError.fromResponse(code, {
    headers,
    rateLimit: rateLimitSignalOf(headers, NOW),
    error: { message: 'x' },
  });
}

// The official SDK's `shouldRetry` (openai-node src/client.ts): x-should-retry first, then
// 408, 409, 429 and >= 500.
describe('classifyFailure', () => {
  it.each([408, 409, 429, 500, 502, 503, 504, 520, 599])('retries status %i', (code) => {
    expect(classifyFailure(status(code))).toEqual({ retryable: true, reason: `status ${code}` });
  });

  it.each([400, 401, 403, 404, 405, 410, 413, 418, 422])('does not retry status %i', (code) => {
    expect(classifyFailure(status(code))).toMatchObject({ retryable: false });
  });

  it.each([
    [400, 'true', true],
    [404, 'true', true],
    [429, 'false', false],
    [503, 'false', false],
    [500, 'true', true],
    [401, 'false', false],
  ])('status %i with x-should-retry: %s -> retryable %s', (code, header, retryable) => {
    expect(classifyFailure(status(code, { 'x-should-retry': header })).retryable).toBe(retryable);
  });

  it.each([['maybe'], ['1'], ['']])('ignores x-should-retry: %j', (header) => {
    expect(classifyFailure(status(400, { 'x-should-retry': header })).retryable).toBe(false);
    expect(classifyFailure(status(503, { 'x-should-retry': header })).retryable).toBe(true);
  });

  it.each([
    [
      'a connection error',
      true,
      new APIConnectionError('reset', { cause: new Error('ECONNRESET') }),
    ],
    ['a timeout', true, new APIConnectionTimeoutError('timed out')],
    ['a user abort', false, new APIUserAbortError('aborted')],
    [
      'a user abort, even with x-should-retry: true',
      false,
      new APIUserAbortError('aborted', { headers: { 'x-should-retry': 'true' } }),
    ],
    ['a truncated body', true, new ProtocolError('cut', { truncated: true })],
    ['a malformed page', false, new ProtocolError('bad', { field: 'has_more' })],
    ['a cursor loop', false, new ProtocolError('loop', { field: 'last_id' })],
    ['a config error', false, new ConfigError('apiKey', 'no key')],
    ['a plain Error', false, new Error('boom')],
    ['a TypeError', false, new TypeError('x is not a function')],
    ['a thrown string', false, 'boom'],
    ['undefined', false, undefined],
  ])('%s -> retryable %s', (_name, retryable, error) => {
    expect(classifyFailure(error).retryable).toBe(retryable);
  });

  it('says why', () => {
    expect(classifyFailure(new APIConnectionTimeoutError('t')).reason).toBe('timeout');
    expect(classifyFailure(new APIConnectionError('c')).reason).toBe('connection error');
    expect(classifyFailure(status(503)).reason).toBe('status 503');
    expect(classifyFailure(status(400, { 'x-should-retry': 'true' })).reason).toBe(
      'x-should-retry: true',
    );
  });
});

describe('retryDelay', () => {
  describe('the server’s delay wins over the backoff', () => {
    it.each([
      [{ 'retry-after-ms': '250' }, 250],
      [{ 'retry-after': '2' }, 2_000],
      [{ 'retry-after-ms': '100', 'retry-after': '9' }, 100],
      // Above maxRetryDelay: the backoff cap does not apply to the server's word.
      [{ 'retry-after': '30' }, 30_000],
      [{ 'retry-after': new Date(NOW + 5_000).toUTCString() }, 5_000],
      [{ 'retry-after': '0' }, 0],
    ])('%j -> %d ms', (headers, ms) => {
      const delay = retryDelay(status(429, headers), 4, POLICY, half);
      expect(delay).toEqual({ delayMs: ms, fromServer: true });
    });

    it('ignores an unreadable header and backs off', () => {
      const delay = retryDelay(status(429, { 'retry-after': 'soon' }), 1, POLICY, half);
      expect(delay).toEqual({ delayMs: 250, fromServer: false });
    });
  });

  // Full jitter (AWS "Exponential Backoff and Jitter"): a uniform draw in
  // [0, min(maxRetryDelay, initialRetryDelay * 2^(attempt - 1))). With random() = 0.5 the
  // delay is half the ceiling: 500 * 2^(n-1) / 2, capped at 8000 / 2.
  it.each([
    [1, 250],
    [2, 500],
    [3, 1_000],
    [4, 2_000],
    [5, 4_000],
    [6, 4_000],
    [10, 4_000],
  ])('attempt %i with random 0.5 -> %d ms', (attempt, ms) => {
    expect(retryDelay(status(503), attempt, POLICY, half)).toEqual({
      delayMs: ms,
      fromServer: false,
    });
  });

  it.each([
    // [attempt, ceiling]
    [1, 500],
    [2, 1_000],
    [3, 2_000],
    [5, 8_000],
    [7, 8_000],
  ])('attempt %i: random 0 gives 0, random 0.999 just under the ceiling %d', (attempt, ceiling) => {
    const error = new APIConnectionError('reset');
    expect(retryDelay(error, attempt, POLICY, () => 0).delayMs).toBe(0);
    const top = retryDelay(error, attempt, POLICY, () => 0.999).delayMs;
    expect(top).toBeLessThan(ceiling);
    expect(top).toBeGreaterThanOrEqual(0.999 * ceiling - 1);
  });

  it('never reaches the ceiling, however close to 1 random() gets', () => {
    const top = retryDelay(status(503), 1, POLICY, () => 1 - Number.EPSILON).delayMs;
    expect(top).toBeLessThan(500);
  });

  it.each([
    [{ ...POLICY, maxRetryDelay: 1_000 }, 3, 1_000],
    [{ ...POLICY, maxRetryDelay: 30_000 }, 6, 16_000],
    [{ ...POLICY, initialRetryDelay: 100 }, 3, 400],
    [{ ...POLICY, initialRetryDelay: 0 }, 3, 0],
  ])('%j, attempt %i: the ceiling is %d', (policy, attempt, ceiling) => {
    expect(retryDelay(status(500), attempt, policy, half).delayMs).toBe(ceiling / 2);
  });
});

describe('decideRetry', () => {
  it('retries a retryable failure with the backoff and says why', () => {
    expect(decideRetry(status(503), 1, 0, POLICY, half)).toEqual({
      retry: true,
      delayMs: 250,
      reason: 'status 503',
    });
  });

  it('does not retry a failure that is not retryable', () => {
    expect(decideRetry(status(404), 1, 0, POLICY, half)).toMatchObject({ retry: false });
  });

  it.each([
    // [maxRetries, attempt that failed, retried?]
    [0, 1, false],
    [1, 1, true],
    [1, 2, false],
    [6, 6, true],
    [6, 7, false],
  ])('maxRetries %i, attempt %i failed -> retry %s', (maxRetries, attempt, retry) => {
    const decision = decideRetry(status(500), attempt, 0, { ...POLICY, maxRetries }, half);
    expect(decision.retry).toBe(retry);
    if (!decision.retry) expect(decision.reason).toContain(`${maxRetries} retries`);
  });

  it.each([
    // [server header, maxRetryAfter, retried?]
    [{ 'retry-after': '60' }, 60_000, true],
    [{ 'retry-after': '61' }, 60_000, false],
    [{ 'retry-after-ms': '60001' }, 60_000, false],
    [{ 'retry-after': '3600' }, 60_000, false],
    [{ 'retry-after': '3600' }, 3_600_000, true],
    [{ 'retry-after': '1' }, 0, false],
  ])('server asks %j, maxRetryAfter %d -> retry %s', (headers, maxRetryAfter, retry) => {
    const policy = { ...POLICY, maxRetryAfter };
    const decision = decideRetry(status(429, headers), 1, 0, policy, half);
    expect(decision.retry).toBe(retry);
    if (!decision.retry) expect(decision.reason).toContain('maxRetryAfter');
  });

  it('does not apply maxRetryAfter to its own backoff', () => {
    const policy = { ...POLICY, maxRetryAfter: 100, maxRetryDelay: 8_000 };
    expect(decideRetry(status(503), 5, 0, policy, half)).toEqual({
      retry: true,
      delayMs: 4_000,
      reason: 'status 503',
    });
  });

  it.each([
    // [elapsed ms, deadline, delay (random 0.5, attempt 1: 250), retried?]
    [0, Infinity, true],
    [1_000_000, Infinity, true],
    [0, 1_000, true],
    [700, 1_000, true],
    [750, 1_000, false], // 750 + 250 reaches the deadline: no time left for the attempt
    [900, 1_000, false],
    [1_000, 1_000, false],
  ])('elapsed %d ms, deadline %d ms -> retry %s', (elapsed, deadline, retry) => {
    const decision = decideRetry(status(503), 1, elapsed, { ...POLICY, deadline }, half);
    expect(decision.retry).toBe(retry);
    if (!decision.retry) expect(decision.reason).toContain('deadline');
  });

  it('gives up when the server’s wait would pass the deadline', () => {
    const policy = { ...POLICY, deadline: 10_000 };
    const decision = decideRetry(status(429, { 'retry-after': '20' }), 1, 0, policy, half);
    expect(decision).toMatchObject({ retry: false });
  });

  it('honours an HTTP-date retry-after as read when the response arrived', () => {
    const headers = { 'retry-after': new Date(NOW + 3_000).toUTCString() };
    expect(decideRetry(status(503, headers), 1, 0, POLICY, half)).toEqual({
      retry: true,
      delayMs: 3_000,
      reason: 'status 503',
    });
  });

  describe('the limiter decides when', () => {
    it('waits out the limiter’s pause when it ends after the policy’s delay, and says so', () => {
      // A 429 without retry-after: the backoff alone would be 250 ms, but the limiter holds
      // every request of the client for its 2,000 ms cooldown.
      expect(decideRetry(status(429), 1, 0, POLICY, half, 2_000)).toEqual({
        retry: true,
        delayMs: 2_000,
        reason: 'status 429',
      });
    });

    it('keeps the policy’s delay when the limiter’s pause ends sooner', () => {
      expect(decideRetry(status(503), 3, 0, POLICY, half, 100)).toEqual({
        retry: true,
        delayMs: 1_000,
        reason: 'status 503',
      });
    });

    it('checks the deadline against the wait that will happen, the pause included', () => {
      const decision = decideRetry(status(429), 1, 0, { ...POLICY, deadline: 1_500 }, half, 2_000);
      expect(decision).toMatchObject({ retry: false });
      if (!decision.retry) expect(decision.reason).toContain('deadline');
    });
  });

  it('counts a limiter wait that is not a number as none, rather than retrying at once', () => {
    // A custom store that leaves out `tokenWaitMs` must not turn every wait into NaN (a timer
    // of 0 ms, and a deadline check that always passes).
    const decision = decideRetry(status(503), 3, 0, POLICY, half, Number.NaN);
    expect(decision).toEqual({ retry: true, delayMs: 1_000, reason: 'status 503' });
  });
});

import { Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { APIError } from '../../src/errors.js';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIUserAbortError,
  ProtocolError,
} from '../../src/errors.js';
import type { RetryContext } from '../../src/internal/retry/plan-retry.js';
import { retryBackoff } from '../../src/internal/retry/retry-backoff.js';
import { RetryBudget } from '../../src/internal/retry/retry-budget.js';
import type { RetryPolicy } from '../../src/internal/retry/retry-policy.js';
import { ManualScheduler } from '../support/manual-scheduler.js';
import { responseError } from '../support/response-error.js';

/**
 * The retry driver's decision table: when it retries, after which delay, and when it stops.
 * There used to be two drivers (this operator and a p-retry one for `client.request`); the
 * promise entry points now take `client.request$` itself, so one driver is left.
 */
const base: RetryPolicy = {
  maxRetries: 3,
  initialRetryDelay: 100,
  maxRetryDelay: 400,
  maxRetryAfter: 5000,
  deadline: Infinity,
};
const status = (code: number, headers: Record<string, string> = {}): APIError =>
  responseError(code, { headers });

interface Case {
  name: string;
  failures: unknown[];
  policy?: Partial<RetryPolicy>;
  budget?: number;
  /** Times (on the scheduler) at which each attempt starts. */
  attempts: number[];
  /** 'ok' or the index in `failures` of the error that ends it. */
  outcome: 'ok' | number;
  reasons: string[];
}

const cases: Case[] = [
  { name: 'success at once', failures: [], attempts: [0], outcome: 'ok', reasons: [] },
  {
    name: '503 then success',
    failures: [status(503)],
    attempts: [0, 50],
    outcome: 'ok',
    reasons: ['status 503'],
  },
  {
    name: 'backoff grows then caps at maxRetryDelay',
    failures: [status(500), status(502), status(504)],
    attempts: [0, 50, 150, 350],
    outcome: 'ok',
    reasons: ['status 500', 'status 502', 'status 504'],
  },
  {
    name: 'retries exhausted',
    failures: [status(500), status(500), status(500), status(500)],
    attempts: [0, 50, 150, 350],
    outcome: 3,
    reasons: ['status 500', 'status 500', 'status 500'],
  },
  {
    name: '429 with retry-after seconds',
    failures: [status(429, { 'retry-after': '2' })],
    attempts: [0, 2000],
    outcome: 'ok',
    reasons: ['status 429'],
  },
  {
    name: 'retry-after beyond maxRetryAfter',
    failures: [status(429, { 'retry-after-ms': '9000' })],
    attempts: [0],
    outcome: 0,
    reasons: [],
  },
  { name: '401 is final', failures: [status(401)], attempts: [0], outcome: 0, reasons: [] },
  {
    name: 'maxRetries 0: a retryable failure is final',
    failures: [status(503)],
    policy: { maxRetries: 0 },
    attempts: [0],
    outcome: 0,
    reasons: [],
  },
  {
    name: 'maxRetries 1: one retry, then the second failure is final',
    failures: [status(503), status(503)],
    policy: { maxRetries: 1 },
    attempts: [0, 50],
    outcome: 1,
    reasons: ['status 503'],
  },
  { name: '422 is final', failures: [status(422)], attempts: [0], outcome: 0, reasons: [] },
  {
    name: 'abort is final',
    failures: [new APIUserAbortError('x')],
    attempts: [0],
    outcome: 0,
    reasons: [],
  },
  {
    name: 'connection error, timeout, truncated body',
    failures: [
      new APIConnectionError('reset'),
      new APIConnectionTimeoutError('slow'),
      new ProtocolError('cut', { truncated: true }),
    ],
    attempts: [0, 50, 150, 350],
    outcome: 'ok',
    reasons: ['connection error', 'timeout', 'truncated body'],
  },
  {
    name: 'malformed page is final',
    failures: [new ProtocolError('bad')],
    attempts: [0],
    outcome: 0,
    reasons: [],
  },
  {
    name: 'x-should-retry: false on a 503',
    failures: [status(503, { 'x-should-retry': 'false' })],
    attempts: [0],
    outcome: 0,
    reasons: [],
  },
  {
    name: 'deadline',
    failures: [status(500), status(500)],
    policy: { deadline: 100 },
    attempts: [0, 50],
    outcome: 1,
    reasons: ['status 500'],
  },
  {
    name: 'retry budget',
    failures: [status(500), status(500)],
    budget: 5,
    attempts: [0, 50],
    outcome: 1,
    reasons: ['status 500'],
  },
];

function contextFor(c: Case, scheduler: ManualScheduler, reasons: string[]): RetryContext {
  return {
    policy: { ...base, ...c.policy },
    scheduler,
    random: () => 0.5,
    budget: c.budget === undefined ? undefined : new RetryBudget(c.budget),
    onRetry: (event) => reasons.push(event.reason),
  };
}

async function drain(scheduler: ManualScheduler, done: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !done(); i++) {
    await new Promise((resolve) => setImmediate(resolve));
    scheduler.runNext();
  }
}

async function viaOperator(c: Case) {
  const scheduler = new ManualScheduler();
  const reasons: string[] = [];
  const attempts: number[] = [];
  let n = 0;
  const source = new Observable<string>((subscriber) => {
    attempts.push(scheduler.now());
    const failure = c.failures[n++];
    if (failure === undefined) {
      subscriber.next('ok');
      subscriber.complete();
    } else subscriber.error(failure);
  });
  let outcome: 'ok' | number | undefined;
  source.pipe(retryBackoff(contextFor(c, scheduler, reasons))).subscribe({
    next: () => (outcome = 'ok'),
    error: (e: unknown) => (outcome = c.failures.indexOf(e)),
  });
  await drain(scheduler, () => outcome !== undefined);
  return { attempts, outcome, reasons };
}

describe('retryBackoff (RxJS)', () => {
  it.each(cases)('$name', async (c) => {
    const result = await viaOperator(c);
    expect(result).toEqual({ attempts: c.attempts, outcome: c.outcome, reasons: c.reasons });
  });
});

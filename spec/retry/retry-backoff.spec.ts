import { defer, mergeMap, Observable, throwError, timer, type SchedulerLike } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import type { APIError } from '../../src/errors.js';
import { APIConnectionError, APIUserAbortError } from '../../src/errors.js';
import type { RetryContext, RetryEvent } from '../../src/internal/retry/plan-retry.js';
import { retryBackoff } from '../../src/internal/retry/retry-backoff.js';
import { RetryBudget } from '../../src/internal/retry/retry-budget.js';
import type { RetryPolicy } from '../../src/internal/retry/retry-policy.js';
import { responseError } from '../support/response-error.js';

const policy: RetryPolicy = {
  maxRetries: 3,
  initialRetryDelay: 100,
  maxRetryDelay: 1000,
  maxRetryAfter: 60_000,
  deadline: Infinity,
};

const unavailable = responseError(503, {
  headers: { 'x-request-id': 'req_503' },
  error: { message: 'busy' },
});
const notFound = responseError(404, { error: { message: 'no such checkpoint' } });
const limited = (ms: number): APIError =>
  responseError(429, { headers: { 'retry-after-ms': String(ms) } });

function setup(overrides: Partial<RetryContext> = {}) {
  const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  const events: RetryEvent[] = [];
  const context: RetryContext = {
    policy,
    scheduler,
    // 0.5 of the backoff ceiling: 50 ms, then 100, 200, ...
    random: () => 0.5,
    onRetry: (event) => events.push(event),
    checkpoint: 'ft:x',
    ...overrides,
  };
  return { scheduler, events, context };
}

/** A source that fails with `errors[i]` on its i-th subscription, then emits 'ok'. */
function failing(errors: unknown[], scheduler: TestScheduler, log: number[]): Observable<string> {
  let n = 0;
  return new Observable<string>((subscriber) => {
    log.push(scheduler.now());
    const error = errors[n++];
    if (error === undefined) {
      subscriber.next('ok');
      subscriber.complete();
    } else subscriber.error(error);
  });
}

describe('retryBackoff', () => {
  it('never asks its scheduler for a delay above 2^31-1 ms, whatever the policy it is given', () => {
    const { scheduler, context } = setup({
      policy: { ...policy, initialRetryDelay: 1e12, maxRetryDelay: 1e12, maxRetryAfter: 1e12 },
    });
    const delays: number[] = [];
    const recording = {
      now: () => scheduler.now(),
      schedule: ((work: () => void, delay = 0) => {
        delays.push(delay);
        return scheduler.schedule(work, delay);
      }) as SchedulerLike['schedule'],
    };
    scheduler.run(() => {
      const starts: number[] = [];
      const source = failing([unavailable], scheduler, starts);
      source.pipe(retryBackoff({ ...context, scheduler: recording })).subscribe();
      scheduler.flush();
      expect(starts).toEqual([0, 2 ** 31 - 1]);
    });
    expect(delays).toEqual([2 ** 31 - 1]);
  });

  it('retries a transient failure after exponential, jittered delays on the scheduler', () => {
    const { scheduler, events, context } = setup();
    scheduler.run(({ expectObservable }) => {
      const starts: number[] = [];
      const source = failing([unavailable, unavailable], scheduler, starts);
      expectObservable(source.pipe(retryBackoff(context))).toBe('150ms (o|)', { o: 'ok' });
      scheduler.flush();
      expect(starts).toEqual([0, 50, 150]);
    });
    expect(
      events.map((e) => [e.attempt, e.delayMs, e.reason, e.status, e.requestID, e.checkpoint]),
    ).toEqual([
      [1, 50, 'status 503', 503, 'req_503', 'ft:x'],
      [2, 100, 'status 503', 503, 'req_503', 'ft:x'],
    ]);
  });

  it('waits exactly what retry-after-ms asks', () => {
    const { scheduler, context } = setup();
    scheduler.run(({ expectObservable }) => {
      const starts: number[] = [];
      expectObservable(failing([limited(750)], scheduler, starts).pipe(retryBackoff(context))).toBe(
        '750ms (o|)',
        {
          o: 'ok',
        },
      );
    });
  });

  it('does not retry a 404: one attempt, the error unchanged', () => {
    const { scheduler, events, context } = setup();
    scheduler.run(({ expectObservable }) => {
      const starts: number[] = [];
      expectObservable(failing([notFound], scheduler, starts).pipe(retryBackoff(context))).toBe(
        '#',
        undefined,
        notFound,
      );
      scheduler.flush();
      expect(starts).toEqual([0]);
    });
    expect(events).toEqual([]);
  });

  it('gives up after maxRetries with the last error, requestID and all', () => {
    const { scheduler, context } = setup();
    const last = responseError(502, { headers: { 'x-request-id': 'req_last' } });
    scheduler.run(({ expectObservable }) => {
      const starts: number[] = [];
      const source = failing([unavailable, unavailable, unavailable, last], scheduler, starts);
      // 50 + 100 + 200 ms of backoff, then the fourth attempt fails for good.
      expectObservable(source.pipe(retryBackoff(context))).toBe('350ms #', undefined, last);
    });
  });

  it('ends at once, without sleeping, when the server asks for more than maxRetryAfter', () => {
    const { scheduler, events, context } = setup({ policy: { ...policy, maxRetryAfter: 1000 } });
    const tooLong = limited(3_600_000);
    scheduler.run(({ expectObservable }) => {
      expectObservable(failing([tooLong], scheduler, []).pipe(retryBackoff(context))).toBe(
        '#',
        undefined,
        tooLong,
      );
    });
    expect(events).toEqual([]);
  });

  it('stops before a wait that would pass the total deadline', () => {
    const { scheduler, context } = setup({ policy: { ...policy, deadline: 120 } });
    scheduler.run(({ expectObservable }) => {
      // 50 ms, then a 100 ms wait would end at 150 > 120: give up at 50.
      expectObservable(
        failing([unavailable, unavailable], scheduler, []).pipe(retryBackoff(context)),
      ).toBe('50ms #', undefined, unavailable);
    });
  });

  it('cancels a pending backoff at once on unsubscribe', () => {
    const { scheduler, context } = setup();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<string>('#', undefined, unavailable);
      expectObservable(source.pipe(retryBackoff(context)), '^ 20ms !').toBe('');
      expectSubscriptions(source.subscriptions).toBe('(^!)');
    });
  });

  it('never retries an abort, and honours x-should-retry both ways', () => {
    const { scheduler, context } = setup();
    const abort = new APIUserAbortError('stop');
    const forced = responseError(400, { headers: { 'x-should-retry': 'true' } });
    const vetoed = responseError(503, { headers: { 'x-should-retry': 'false' } });
    scheduler.run(({ expectObservable }) => {
      expectObservable(failing([abort], scheduler, []).pipe(retryBackoff(context))).toBe(
        '#',
        undefined,
        abort,
      );
      expectObservable(failing([forced], scheduler, []).pipe(retryBackoff(context))).toBe(
        '50ms (o|)',
        { o: 'ok' },
      );
      expectObservable(failing([vetoed], scheduler, []).pipe(retryBackoff(context))).toBe(
        '#',
        undefined,
        vetoed,
      );
    });
  });

  it('stops when the client-wide retry budget runs dry, and refunds on success', () => {
    const budget = new RetryBudget(10);
    const { scheduler, context } = setup({ budget });
    const reset = new APIConnectionError('reset');
    scheduler.run(({ expectObservable }) => {
      // Two retries cost 5 each; the third cannot be paid for.
      expectObservable(
        failing([reset, reset, reset], scheduler, []).pipe(retryBackoff(context)),
      ).toBe('150ms #', undefined, reset);
    });
    expect(budget.tokens).toBe(0);
    const again = setup({ budget });
    again.scheduler.run(({ expectObservable }) => {
      expectObservable(failing([], again.scheduler, []).pipe(retryBackoff(again.context))).toBe(
        '(o|)',
        { o: 'ok' },
      );
    });
    expect(budget.tokens).toBe(1);
  });

  it('starts no further attempt when onRetry ends the subscription itself', () => {
    const starts: number[] = [];
    let subscription: { unsubscribe(): void } | undefined;
    const { scheduler, context } = setup({ onRetry: () => subscription?.unsubscribe() });
    scheduler.run(() => {
      // Fails 10 ms after each subscription, once `subscription` is known.
      const source = defer(() => {
        starts.push(scheduler.now());
        return timer(10, scheduler).pipe(mergeMap(() => throwError(() => unavailable)));
      });
      subscription = source.pipe(retryBackoff(context)).subscribe();
      scheduler.flush();
    });
    expect(starts).toEqual([0]);
  });

  it('ends the stream with the error of an onRetry that throws, and starts no retry', () => {
    const starts: number[] = [];
    const broken = new Error('onRetry failed');
    const { scheduler, context } = setup({
      onRetry: () => {
        throw broken;
      },
    });
    scheduler.run(({ expectObservable }) => {
      expectObservable(
        failing([unavailable, unavailable], scheduler, starts).pipe(retryBackoff(context)),
      ).toBe('#', undefined, broken);
    });
    expect(starts).toEqual([0]);
  });
});

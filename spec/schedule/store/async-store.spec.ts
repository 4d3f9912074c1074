import { of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { rateLimitSignalOf } from '../../../src/internal/http/rate-limit-headers.js';
import { RetryBudget } from '../../../src/internal/retry/retry-budget.js';
import { Limiter } from '../../../src/internal/schedule/limiter.js';
import type {
  LimiterStore,
  StoreCall,
} from '../../../src/internal/schedule/store/limiter-store.js';
import { MemoryStore } from '../../../src/internal/schedule/store/memory-store.js';
import { ManualScheduler } from '../../support/manual-scheduler.js';

/**
 * The limiter over a store that answers with promises, as the Redis store does: the in-memory
 * bucket behind a promise, so that only the asynchrony differs.
 */
function asyncStore(): { store: LimiterStore; calls: StoreCall[] } {
  const memory = new MemoryStore();
  const calls: StoreCall[] = [];
  return {
    calls,
    store: {
      decide: (scope, call, now) => {
        calls.push(call);
        return Promise.resolve(memory.decide(scope, call, now));
      },
    },
  };
}

const ok = { status: 200, rateLimit: {} };
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('Limiter over an asynchronous store', () => {
  it('makes one store call per request, reserving the next token rather than asking again until one is free', async () => {
    const scheduler = new ManualScheduler();
    const { store, calls } = asyncStore();
    const limiter = new Limiter({
      maxConcurrency: 8,
      requestsPerMinute: 60,
      adaptive: true,
      defaultCooldown: 1000,
      maxPause: 60_000,
      scheduler,
      store,
    });
    const started: number[] = [];
    for (let i = 0; i < 4; i++)
      limiter.run(`c${i}`, of(ok)).subscribe({ complete: () => started.push(scheduler.now()) });
    for (let t = 0; t < 4; t++) {
      await settle();
      scheduler.advance(1000);
    }
    await settle();
    // One token a second, and one call (one Redis round trip) for each request, no more.
    expect(started).toEqual([0, 1000, 2000, 3000]);
    expect(calls.filter((call) => call.take)).toHaveLength(4);
    expect(calls).toHaveLength(4);
    expect(calls.slice(1).every((call) => call.reserve)).toBe(true);
  });

  it('tells the store what a response taught with the next take, in the same call', async () => {
    const scheduler = new ManualScheduler();
    const { store, calls } = asyncStore();
    const limiter = new Limiter({
      maxConcurrency: 1,
      requestsPerMinute: undefined,
      adaptive: true,
      defaultCooldown: 1000,
      maxPause: 60_000,
      scheduler,
      store,
    });
    const budget = {
      status: 200,
      rateLimit: rateLimitSignalOf(
        { 'x-ratelimit-limit-requests': '6000', 'x-ratelimit-remaining-requests': '5999' },
        0,
      ),
    };
    for (let i = 0; i < 3; i++) limiter.run('c', of(budget)).subscribe();
    for (let i = 0; i < 5; i++) await settle();
    expect(limiter.state().requests).toBe(3);
    // The 1st call takes; the 2nd and 3rd carry the previous response and take; the last
    // response travels alone, since nothing is left to take.
    expect(calls.map((call) => [call.observations.length, call.take])).toEqual([
      [0, true],
      [1, true],
      [1, true],
      [1, false],
    ]);
  });

  it('shares the retry budget through the store: what one client spends, another sees', async () => {
    const scheduler = new ManualScheduler();
    const { store, calls } = asyncStore();
    const [budgetA, budgetB] = [new RetryBudget(500), new RetryBudget(500)];
    const limiterOf = (retryBudget: RetryBudget): Limiter =>
      new Limiter({
        maxConcurrency: 8,
        requestsPerMinute: undefined,
        adaptive: true,
        defaultCooldown: 1000,
        maxPause: 60_000,
        scheduler,
        store,
        retryBudget,
      });
    const [a, b] = [limiterOf(budgetA), limiterOf(budgetB)];
    budgetA.trySpend(false);
    budgetA.trySpend(true);
    a.run('c', of(ok)).subscribe();
    await settle();
    b.run('c', of(ok)).subscribe();
    await settle();
    expect(calls.filter((call) => call.take).map((call) => call.retryBudget)).toEqual([
      { capacity: 500, change: -15 },
      { capacity: 500, change: 0 },
    ]);
    expect(budgetB.tokens).toBe(485);
    expect(budgetA.tokens).toBe(485);
  });
});

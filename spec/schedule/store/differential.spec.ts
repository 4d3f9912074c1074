import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { createClient as createRedis } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  Observation,
  StoreCall,
  StoreDecision,
} from '../../../src/internal/schedule/store/limiter-store.js';
import { MemoryStore } from '../../../src/internal/schedule/store/memory-store.js';
import {
  createRedisStore,
  type RedisStore,
} from '../../../src/internal/schedule/store/redis-store.js';
import { startRedisServer, type RedisServer } from '../../support/redis-server.js';

/**
 * The Lua bucket and the in-memory bucket, fed the same random sequences of takes, responses
 * with `x-ratelimit-*` headers, 429s and header-less responses (CUBIC), on the same clock
 * (Redis `TIME` replaced by the script's test-only clock argument), must decide alike.
 */

let server: RedisServer;
let redis: ReturnType<typeof createRedis>;
let store: RedisStore;

beforeAll(async () => {
  server = await startRedisServer();
  redis = createRedis({ url: server.url });
  await redis.connect();
  store = createRedisStore(
    {
      client: redis,
      timeout: 5_000,
      onWarning: (warning) => {
        throw new Error(`unexpected warning: ${warning.message}`);
      },
    },
    { callerClock: true },
  );
});
afterAll(async () => {
  await redis?.close();
  await server?.stop();
});

/** One step: time passes, responses arrive, and maybe a request asks for a token. */
interface Step {
  readonly advanceMs: number;
  readonly responses: ReadonlyArray<Response>;
  readonly take: boolean;
  readonly reserve: boolean;
  /** Retry budget tokens spent (negative) or earned since the last call, when shared. */
  readonly retryChange: number | undefined;
}
type Response =
  | {
      kind: 'headers';
      limit: number | undefined;
      remaining: number | undefined;
      resetMs: number | undefined;
      pick: number;
    }
  | { kind: 'throttled'; pauseMs: number; headers: boolean; pick: number }
  | { kind: 'plain'; pick: number };

const response: fc.Arbitrary<Response> = fc.oneof(
  fc.record({
    kind: fc.constant('headers' as const),
    limit: fc.option(fc.constantFrom(60, 600, 1_200, 5_000), { nil: undefined }),
    remaining: fc.option(fc.integer({ min: 0, max: 1_200 }), { nil: undefined }),
    resetMs: fc.option(fc.integer({ min: 1, max: 60_000 }), { nil: undefined }),
    pick: fc.nat(),
  }),
  fc.record({
    kind: fc.constant('throttled' as const),
    pauseMs: fc.integer({ min: 1, max: 5_000 }),
    headers: fc.boolean(),
    pick: fc.nat(),
  }),
  fc.record({ kind: fc.constant('plain' as const), pick: fc.nat() }),
);
const step: fc.Arbitrary<Step> = fc.record({
  advanceMs: fc.oneof(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 3_000 })),
  responses: fc.array(response, { maxLength: 3 }),
  take: fc.boolean(),
  reserve: fc.boolean(),
  retryChange: fc.option(fc.integer({ min: -30, max: 10 }), { nil: undefined }),
});

/** What the limiter would tell the store about a response to the request numbered `seq`. */
function observe(seen: Response, seq: number, fixedRatePerMs: number | undefined): Observation {
  switch (seen.kind) {
    case 'headers': {
      const learned = seen.limit === undefined ? undefined : (seen.limit * 0.95) / 60_000;
      return {
        seq,
        pauseMs: 0,
        ratePerMs:
          learned === undefined || fixedRatePerMs === undefined
            ? learned
            : Math.min(learned, fixedRatePerMs),
        remaining: seen.remaining,
        resetMs: seen.resetMs,
      };
    }
    case 'throttled':
      return seen.headers
        ? { seq, pauseMs: seen.pauseMs, remaining: 0 }
        : { seq, pauseMs: seen.pauseMs, cubic: { throttled: true } };
    case 'plain':
      return { seq, pauseMs: 0, cubic: { throttled: false } };
  }
}

function expectAlike(lua: StoreDecision, memory: StoreDecision, at: string): void {
  expect(lua.seq, at).toBe(memory.seq);
  expect(lua.waitMs, at).toBeCloseTo(memory.waitMs, 6);
  expect(lua.pausedForMs, at).toBeCloseTo(memory.pausedForMs, 6);
  // Rounded up to a whole ms from rates that may differ in their last bits (CUBIC's powers in
  // Lua and in V8, compared above to 9 digits): a quotient at an integer can round either way.
  expect(Math.abs(lua.tokenWaitMs! - memory.tokenWaitMs!), at).toBeLessThanOrEqual(1);
  expect(lua.retryTokens, at).toBe(memory.retryTokens);
  if (memory.ratePerSecond === undefined) expect(lua.ratePerSecond, at).toBeUndefined();
  else expect(lua.ratePerSecond, at).toBeCloseTo(memory.ratePerSecond, 9);
}

describe('the Lua bucket and the in-memory bucket', () => {
  it('take (or reserve) the same tokens, ask for the same waits and keep the same retry budget on any sequence of takes, headers, 429s and plain responses', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.option(fc.constantFrom(6, 60, 600, 3_000), { nil: undefined }),
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.array(step, { minLength: 1, maxLength: 40 }),
        async (perMinute, start, steps) => {
          const fixedRatePerMs = perMinute === undefined ? undefined : perMinute / 60_000;
          const memory = new MemoryStore();
          const scope = `differential:${randomUUID()}`;
          const taken: number[] = [];
          let now = start;
          for (const [
            index,
            { advanceMs, responses, take, reserve, retryChange },
          ] of steps.entries()) {
            now += advanceMs;
            const observations = responses.map((seen) =>
              observe(
                seen,
                taken.length === 0 ? 0 : taken[seen.pick % taken.length]!,
                fixedRatePerMs,
              ),
            );
            const call: StoreCall = {
              observations,
              take,
              reserve,
              fixedRatePerMs,
              retryBudget:
                retryChange === undefined ? undefined : { capacity: 100, change: retryChange },
            };
            const expected = memory.decide(scope, call, now);
            const actual = await store.decide(scope, call, now);
            expectAlike(actual, expected, `step ${index} at ${now} ms`);
            if (expected.seq !== undefined) taken.push(expected.seq);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('agree on a long adaptive run: CUBIC cuts on 429s and grows back between them', async () => {
    const memory = new MemoryStore();
    const scope = `differential:${randomUUID()}`;
    let now = 1_000_000;
    for (let i = 0; i < 400; i++) {
      now += 37;
      const throttled = i % 50 === 49;
      const call: StoreCall = {
        observations: [{ seq: i, pauseMs: throttled ? 200 : 0, cubic: { throttled } }],
        take: true,
        reserve: i % 3 === 0,
        fixedRatePerMs: undefined,
      };
      expectAlike(await store.decide(scope, call, now), memory.decide(scope, call, now), `${i}`);
    }
  });
});

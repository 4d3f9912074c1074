import { createHash, randomUUID } from 'node:crypto';
import { from, lastValueFrom, map, mergeMap, toArray } from 'rxjs';
import { createClient as createRedis } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../../src/client/create-client.js';
import { startEmulator, type Emulator } from '../../../src/emulator/index.js';
import { ConfigError } from '../../../src/errors.js';
import { permissionItems$ } from '../../../src/resources/permissions.js';
import type { StoreCall } from '../../../src/internal/schedule/store/limiter-store.js';
import {
  redisStore,
  type LimiterStoreWarning,
  type RedisStore,
} from '../../../src/internal/schedule/store/redis-store.js';
import { startRedisServer, type RedisServer } from '../../support/redis-server.js';

/** The Redis store against a real redis-server and the emulator, over loopback. */
let server: RedisServer;
let redis: ReturnType<typeof createRedis>;
let emulator: Emulator;
const stores: RedisStore[] = [];
/** Redis is up throughout: any warning is a failure (a throwing hook would be swallowed). */
const warnings: LimiterStoreWarning[] = [];

beforeAll(async () => {
  server = await startRedisServer();
  redis = createRedis({ url: server.url });
  await redis.connect();
  emulator = await startEmulator({ seed: 31, organization: { jobs: 4 } });
});
afterEach(async () => {
  expect(warnings.splice(0)).toEqual([]);
  await Promise.all(stores.splice(0).map((store) => store.close()));
  await redis.flushAll();
  emulator.setRateLimit(false);
  emulator.resetStats();
});
afterAll(async () => {
  await redis?.close();
  await server?.stop();
  await emulator?.close();
});

function storeOn(url = server.url): RedisStore {
  // A generous timeout: on a busy CI machine a slow answer must not pass for an outage here.
  const store = redisStore({ url, timeout: 1_000, onWarning: (warning) => warnings.push(warning) });
  stores.push(store);
  return store;
}

const take = (fixedRatePerMs?: number, reserve = false): StoreCall => ({
  observations: [],
  take: true,
  reserve,
  fixedRatePerMs,
});
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const key = (p: { id: string; project_id: string }): string => `${p.id}/${p.project_id}`;

describe('redisStore', () => {
  it('shares one bucket between two connections (two processes): a token, then a 429 pause', async () => {
    const [a, b] = [storeOn(), storeOn()];
    const scope = `spec:${randomUUID()}`;
    // 60 requests a minute: a bucket of one token, one more every second.
    const first = await a.decide(scope, take(60 / 60_000), 0);
    expect(first).toMatchObject({ waitMs: 0, seq: 1 });
    const second = await b.decide(scope, take(60 / 60_000), 0);
    expect(second.seq).toBeUndefined();
    expect(second.waitMs).toBeGreaterThan(900);
    expect(second.waitMs).toBeLessThanOrEqual(1000);

    const pause: StoreCall = {
      observations: [{ seq: 1, pauseMs: 5_000 }],
      take: false,
      reserve: false,
      fixedRatePerMs: undefined,
    };
    await a.decide(scope, pause, 0);
    const third = await b.decide(scope, take(60 / 60_000), 0);
    expect(third.waitMs).toBeGreaterThan(4_900);
    expect(third.pausedForMs).toBeGreaterThan(4_900);
  });

  it('reserves tokens in turn for contending processes: each take gets one, due a token later than the last', async () => {
    const [a, b] = [storeOn(), storeOn()];
    const scope = `spec:${randomUUID()}`;
    const decisions = [];
    for (const store of [a, b, a, b])
      decisions.push(await store.decide(scope, take(60 / 60_000, true), 0));
    expect(decisions.map((d) => d.seq)).toEqual([1, 2, 3, 4]);
    const waits = decisions.map((d) => d.waitMs);
    expect(waits[0]).toBe(0);
    // One token a second: each reservation is due about a second after the one before.
    for (const [i, wait] of waits.entries()) {
      expect(wait).toBeGreaterThan(i * 1000 - 100);
      expect(wait).toBeLessThanOrEqual(i * 1000);
    }
  });

  it('shares the retry budget: what one process spends, the other sees', async () => {
    const [a, b] = [storeOn(), storeOn()];
    const scope = `spec:${randomUUID()}`;
    const budget = (change: number): StoreCall => ({
      ...take(),
      take: false,
      retryBudget: { capacity: 500, change },
    });
    expect((await a.decide(scope, budget(-5), 0)).retryTokens).toBe(495);
    expect((await b.decide(scope, budget(-10), 0)).retryTokens).toBe(485);
    expect((await a.decide(scope, budget(+1), 0)).retryTokens).toBe(486);
    expect((await b.decide(scope, budget(+100), 0)).retryTokens).toBe(500);
  });

  it('names a client’s bucket by organization and a hash of its admin key (the key its permission requests spend), never a key, and lets it expire', async () => {
    const store = storeOn();
    const [projectKey] = Object.values(emulator.projectKeys);
    const client = createClient({
      adminAPIKey: emulator.adminKey,
      apiKey: projectKey,
      baseURL: emulator.url,
      organization: 'org_spec',
      rateLimit: { store },
    });
    const checkpoint = Object.keys(emulator.truth().permissions)[0]!;
    await lastValueFrom(permissionItems$(checkpoint, { client }).pipe(toArray()));
    await client.close();

    const keys = await redis.keys('*');
    expect(keys).toEqual([`rx-checkpoint-permissions:org_spec:${sha256(emulator.adminKey)}`]);
    const ttl = await redis.pTTL(keys[0]!);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(600_000);
    const fields = await redis.hGetAll(keys[0]!);
    expect(JSON.stringify([keys, fields])).not.toContain(emulator.adminKey);
    expect(JSON.stringify([keys, fields])).not.toContain(projectKey);
  });

  it('makes about one Redis round trip per request, and every checkpoint reads exactly', async () => {
    emulator.setRateLimit({ requestsPerMinute: 60_000, burst: 50 });
    const truth = emulator.truth().permissions;
    const store = storeOn();
    const client = createClient({
      adminAPIKey: emulator.adminKey,
      baseURL: emulator.url,
      rateLimit: { store },
    });
    try {
      const seen = await lastValueFrom(
        from(Object.keys(truth)).pipe(
          mergeMap(
            (checkpoint) =>
              permissionItems$(checkpoint, { client, limit: 5, order: 'ascending' }).pipe(
                toArray(),
                map((items) => [checkpoint, items] as const),
              ),
            8,
          ),
          toArray(),
        ),
      );
      for (const [checkpoint, items] of seen)
        expect(items.map(key)).toEqual(truth[checkpoint]!.map(key));
      const { requests } = client.metrics();
      const { roundTrips, local } = store.stats();
      expect(local).toBe(0);
      expect(requests).toBeGreaterThan(50);
      console.info(`${roundTrips} round trips for ${requests} requests`);
      expect(roundTrips / requests).toBeLessThanOrEqual(1.1);
    } finally {
      await client.close();
    }
  });

  it('sends the script again (EVAL) when Redis has lost it (NOSCRIPT)', async () => {
    const store = storeOn();
    const scope = `spec:${randomUUID()}`;
    await store.decide(scope, take(), 0);
    await redis.scriptFlush();
    const before = store.stats().roundTrips;
    expect(await store.decide(scope, take(), 0)).toMatchObject({ waitMs: 0, seq: 2 });
    expect(store.stats().roundTrips - before).toBe(2);
    // Cached again: the next decision is one EVALSHA.
    await store.decide(scope, take(), 0);
    expect(store.stats().roundTrips - before).toBe(3);
  });

  it('closes the connection it opened when the client closes', async () => {
    const count = async (): Promise<number> => (await redis.clientList()).length;
    const before = await count();
    const store = redisStore({ url: server.url });
    const client = createClient({
      adminAPIKey: emulator.adminKey,
      baseURL: emulator.url,
      rateLimit: { store },
    });
    await store.decide('spec:close', take(), 0);
    expect(await count()).toBe(before + 1);
    await client.close();
    await expect.poll(count).toBe(before);
  });

  it('rejects bad options with the option named', () => {
    expect(() => redisStore({})).toThrow(ConfigError);
    expect(() => redisStore({ url: server.url, client: redis })).toThrow(/exactly one of url/);
    expect(() => redisStore({ url: 'http://127.0.0.1:6379' })).toThrow(
      /redisStore.url must be a redis:\/\//,
    );
    expect(() => redisStore({ url: server.url, timeout: 0 })).toThrow(/redisStore.timeout/);
    expect(() => redisStore({ url: server.url, onUnavailable: 'fail' as 'wait' })).toThrow(
      /redisStore.onUnavailable/,
    );
    expect(() => redisStore({ url: server.url, port: 1 } as never)).toThrow(
      /Unknown option redisStore.port/,
    );
    expect(() => createClient({ rateLimit: { store: {} as never } })).toThrow(
      /rateLimit.store must be/,
    );
  });
});

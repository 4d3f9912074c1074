import { from, lastValueFrom, map, mergeMap, toArray } from 'rxjs';
import { createClient as createRedis } from 'redis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClient, type Client, type ClientEvent } from '../../../src/client/create-client.js';
import { startEmulator, type Emulator } from '../../../src/emulator/index.js';
import { permissionItems$ } from '../../../src/resources/permissions.js';
import type { Observation, StoreCall } from '../../../src/internal/schedule/store/limiter-store.js';
import {
  redisStore,
  type LimiterStoreWarning,
  type RedisStore,
  type RedisStoreOptions,
} from '../../../src/internal/schedule/store/redis-store.js';
import { startRedisServer, type RedisServer } from '../../support/redis-server.js';

/**
 * Redis unreachable, slow, killed and restarted, against a real redis-server: requests never
 * fail or hang because of Redis, every permission is still read exactly once, and the client
 * says so: one warning when Redis goes, one when it is back.
 */
let server: RedisServer;
let emulator: Emulator;
let warnings: LimiterStoreWarning[];
let clients: Client[];

beforeAll(async () => {
  server = await startRedisServer();
  emulator = await startEmulator({ seed: 41, organization: { jobs: 4 } });
});
beforeEach(() => {
  warnings = [];
  clients = [];
});
afterEach(async () => {
  await Promise.all(clients.map((client) => client.close()));
  emulator.setLatency(0);
  emulator.resetStats();
});
afterAll(async () => {
  await server?.stop();
  await emulator?.close();
});

function clientWith(options: Partial<RedisStoreOptions> = {}): {
  client: Client;
  store: RedisStore;
} {
  const store = redisStore({
    url: server.url,
    retryInterval: 50,
    // Generous, so that a busy CI machine's slow answer is not taken for the outage under test
    // (a dead Redis fails at once); the slow-Redis case sets its own.
    timeout: 1_000,
    onWarning: (warning) => warnings.push(warning),
    ...options,
  });
  const client = createClient({
    adminAPIKey: emulator.adminKey,
    baseURL: emulator.url,
    rateLimit: { store },
  });
  clients.push(client);
  return { client, store };
}

const key = (p: { id: string; project_id: string }): string => `${p.id}/${p.project_id}`;
const types = (): string[] => warnings.map((warning) => warning.type);

/** Reads every checkpoint with `client`, and checks each against the emulator's truth. */
async function readAllExactly(client: Client): Promise<void> {
  const truth = emulator.truth().permissions;
  const seen = await lastValueFrom(
    from(Object.keys(truth)).pipe(
      mergeMap(
        (checkpoint) =>
          permissionItems$(checkpoint, { client, limit: 5, order: 'ascending' }).pipe(
            toArray(),
            map((items) => [checkpoint, items] as const),
          ),
        4,
      ),
      toArray(),
    ),
  );
  expect(seen).toHaveLength(Object.keys(truth).length);
  for (const [checkpoint, items] of seen)
    expect(items.map(key)).toEqual(truth[checkpoint]!.map(key));
}

/** Lists one checkpoint until `done()`: a decision is what notices Redis is back. */
async function requestUntil(client: Client, done: () => boolean): Promise<void> {
  const checkpoint = Object.keys(emulator.truth().permissions)[0]!;
  await expect
    .poll(
      async () => {
        await lastValueFrom(permissionItems$(checkpoint, { client, limit: 100 }).pipe(toArray()));
        return done();
      },
      { timeout: 10_000, interval: 20 },
    )
    .toBe(true);
}

describe('redisStore when Redis fails', () => {
  it('goes on with the local limiter at once when Redis is unreachable from the start, with one warning', async () => {
    const dead = await startRedisServer();
    await dead.stop();
    const { client, store } = clientWith({ url: dead.url });
    await readAllExactly(client);
    expect(types()).toEqual(['unavailable']);
    expect(warnings[0]!.message).toMatch(
      new RegExp(
        `^Redis at redis://127.0.0.1:${dead.port} is unavailable \\(.+\\): this process now paces on its own`,
      ),
    );
    expect(store.stats()).toMatchObject({ available: false, roundTrips: 0 });
    expect(store.stats().local).toBeGreaterThan(0);
  });

  it('does not wait for a Redis that does not answer within timeout, and returns to it when it does', async () => {
    const { client, store } = clientWith({ timeout: 50 });
    const admin = createRedis({ url: server.url });
    await admin.connect();
    try {
      await readAllExactly(client);
      expect(types()).toEqual([]);
      // Every script now waits 10 s (WRITE pauses scripts; the admin can still unpause): Redis is there, but too slow.
      await admin.sendCommand(['CLIENT', 'PAUSE', '10000', 'WRITE']);
      const started = performance.now();
      await readAllExactly(client);
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(types()).toEqual(['unavailable']);
      expect(warnings[0]!.message).toContain('no answer within 50 ms');
      await admin.sendCommand(['CLIENT', 'UNPAUSE']);
      await requestUntil(client, () => types().length === 2);
      expect(types()).toEqual(['unavailable', 'restored']);
      expect(store.stats().available).toBe(true);
    } finally {
      await admin.sendCommand(['CLIENT', 'UNPAUSE']).catch(() => undefined);
      await admin.close();
    }
  });

  it('does not let a response to a request paced locally clamp the shared bucket when Redis is back', async () => {
    const store = redisStore({
      url: server.url,
      timeout: 50,
      retryInterval: 20,
      onWarning: (warning) => warnings.push(warning),
    });
    const admin = createRedis({ url: server.url });
    await admin.connect();
    const scope = 'spec:clamp';
    const call = (observations: Observation[] = []): StoreCall => ({
      observations,
      take: true,
      reserve: true,
      fixedRatePerMs: undefined,
    });
    try {
      // A bucket of 1 000 tokens at 1 000 a second, 300 of them taken through Redis.
      await store.decide(scope, call([{ seq: 0, pauseMs: 0, ratePerMs: 1, remaining: 1_000 }]), 0);
      for (let i = 0; i < 300; i++) await store.decide(scope, call(), 0);
      await admin.sendCommand(['CLIENT', 'PAUSE', '10000', 'WRITE']);
      const local = await store.decide(scope, call(), 0);
      expect(types()).toEqual(['unavailable']);
      await admin.sendCommand(['CLIENT', 'UNPAUSE']);
      // The server says 300 are left after the local request: true of the server, but 300 shared
      // requests were not "sent after it", so the shared bucket must not drop to 300 - 300.
      const seen: Observation = { seq: local.seq!, pauseMs: 0, ratePerMs: 1, remaining: 300 };
      await expect
        .poll(async () => {
          const next = await store.decide(scope, call([seen]), 0);
          return types().length === 2 ? next : undefined;
        })
        .toMatchObject({ waitMs: 0 });
      expect(types()).toEqual(['unavailable', 'restored']);
    } finally {
      await admin.sendCommand(['CLIENT', 'UNPAUSE']).catch(() => undefined);
      await admin.close();
      await store.close();
    }
  });

  it('falls back without a burst: the local bucket knows the pace but starts from one token', async () => {
    const store = redisStore({ url: server.url, timeout: 50, onWarning: (w) => warnings.push(w) });
    const admin = createRedis({ url: server.url });
    await admin.connect();
    const call = (observations: Observation[] = []): StoreCall => ({
      observations,
      take: true,
      reserve: false,
      fixedRatePerMs: undefined,
    });
    try {
      // A pace of one request a ms with 1 000 left, learned while Redis answered.
      const learned: Observation = { seq: 0, pauseMs: 0, ratePerMs: 1, remaining: 1_000 };
      expect(await store.decide('spec:burst', call([learned]), 0)).toMatchObject({ waitMs: 0 });
      await admin.sendCommand(['CLIENT', 'PAUSE', '10000', 'WRITE']);
      expect(await store.decide('spec:burst', call(), 0)).toMatchObject({ waitMs: 0 });
      expect(types()).toEqual(['unavailable']);
      const next = await store.decide('spec:burst', call(), 0);
      expect(next.seq).toBeUndefined();
      expect(next.waitMs).toBe(1);
    } finally {
      await admin.sendCommand(['CLIENT', 'UNPAUSE']).catch(() => undefined);
      await admin.close();
      await store.close();
    }
  });

  it('loses nothing when Redis is killed mid-audit and restarted: the audit completes, one warning each way', async () => {
    emulator.setLatency(5);
    const { client, store } = clientWith();
    const audit = readAllExactly(client);
    await expect.poll(() => emulator.stats().requests, { interval: 2 }).toBeGreaterThanOrEqual(10);
    await server.kill();
    await expect.poll(types, { interval: 5 }).toEqual(['unavailable']);
    const localBefore = store.stats().local;
    await server.restart();
    await audit;
    await requestUntil(client, () => types().length === 2);
    expect(types()).toEqual(['unavailable', 'restored']);
    expect(store.stats().local).toBeGreaterThan(localBefore);
    // Back on the restarted Redis: the bucket lives there again.
    const admin = createRedis({ url: server.url });
    await admin.connect();
    expect(await admin.keys('rx-checkpoint-permissions:*')).toHaveLength(1);
    await admin.close();
  });

  it('publishes each warning on the client’s events$ as well, as onWarning gets it', async () => {
    const { client } = clientWith();
    const events: ClientEvent[] = [];
    const subscription = client.events$.subscribe((event) => events.push(event));
    await readAllExactly(client);
    await server.kill();
    await requestUntil(client, () => types().length === 1);
    await server.restart();
    await requestUntil(client, () => types().length === 2);
    expect(types()).toEqual(['unavailable', 'restored']);
    expect(events.filter((event) => event.type !== 'retry')).toEqual([
      { type: 'limiter-store', warning: warnings[0] },
      { type: 'limiter-store', warning: warnings[1] },
    ]);
    subscription.unsubscribe();
  });

  it('with onUnavailable: "wait", holds requests while Redis is gone and sends them when it is back', async () => {
    const { client } = clientWith({ onUnavailable: 'wait' });
    const checkpoint = Object.keys(emulator.truth().permissions)[0]!;
    const list = (): Promise<unknown[]> =>
      lastValueFrom(permissionItems$(checkpoint, { client, limit: 100 }).pipe(toArray()));
    await list();
    const sent = emulator.stats().requests;
    await server.kill();
    const waiting = list();
    await expect.poll(types).toEqual(['unavailable']);
    expect(warnings[0]!.message).toContain('requests wait until it is back');
    // The decision that found Redis gone said "wait": nothing was sent, and nothing will be
    // until a decision reaches Redis again.
    expect(emulator.stats().requests).toBe(sent);
    await server.restart();
    await waiting;
    expect(types()).toEqual(['unavailable', 'restored']);
    expect(emulator.stats().requests).toBeGreaterThan(sent);
  });
});

import { createClient as createRedisClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { connect, expectNoSecret, linesOf, run, SECRET_KEY, startSpecEmulator } from './helpers.js';

// `--redis-url` and OPENAI_RATE_LIMIT_REDIS_URL put the CLI's limiter on a real Redis: the
// bucket appears there (named by a hash of the key, never the key), and the audit is exact.
let emulator: Emulator;
let redis: RedisServer;

beforeAll(async () => {
  emulator = await startSpecEmulator();
  redis = await startRedisServer();
});
afterAll(async () => {
  await emulator.close();
  await redis.stop();
});

/** Every key the Redis holds. */
async function redisKeys(): Promise<string[]> {
  const client = createRedisClient({ url: redis.url });
  await client.connect();
  try {
    return await client.keys('*');
  } finally {
    await client.quit();
  }
}

const permissionCount = (): number =>
  Object.values(emulator.truth().permissions).reduce((n, list) => n + list.length, 0);

describe('--redis-url', () => {
  it('paces the audit through the shared bucket in Redis, and the audit is exact', async () => {
    const r = await run([
      'audit',
      '--all',
      '--quiet',
      '--redis-url',
      redis.url,
      ...connect(emulator),
    ]);
    expect(r.code).toBe(0);
    expect(linesOf(r.stdout)).toHaveLength(permissionCount());
    const keys = await redisKeys();
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(key).not.toContain(SECRET_KEY);
    expectNoSecret(r);
  });

  it('reads OPENAI_RATE_LIMIT_REDIS_URL when the flag is absent', async () => {
    const before = (await redisKeys()).length;
    await redis.restart();
    expect(await redisKeys()).toEqual([]);
    const r = await run(['audit', '--all', '--quiet', ...connect(emulator)], {
      env: { OPENAI_RATE_LIMIT_REDIS_URL: redis.url },
    });
    expect(r.code).toBe(0);
    expect(linesOf(r.stdout)).toHaveLength(permissionCount());
    expect(before).toBeGreaterThan(0);
    expect((await redisKeys()).length).toBeGreaterThan(0);
  });

  it('refuses a URL that is not redis:// in one line naming the flag (64)', async () => {
    const r = await run(['audit', '--all', '--redis-url', 'http://nope', ...connect(emulator)]);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/--redis-url/);
    expect(linesOf(r.stderr)).toHaveLength(1);
  });
});

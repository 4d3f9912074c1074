import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { startRedisServer, type RedisServer } from '../../spec/support/redis-server.js';
import { auditOnSharedBudget } from './shared-limiter.js';

/** docs/shared-rate-limits.md's example: two processes' worth of audits on one Redis budget. */
let emulator: Emulator;
let redis: RedisServer;

beforeAll(async () => {
  emulator = await startEmulator({ seed: 5, rateLimit: { requestsPerMinute: 6_000 } });
  redis = await startRedisServer();
});
afterAll(async () => {
  await emulator?.close();
  await redis?.stop();
});

describe('docs/examples/shared-limiter.ts', () => {
  it('auditOnSharedBudget: two audits on one key and one Redis read everything', async () => {
    vi.stubEnv('OPENAI_ADMIN_KEY', emulator.apiKey);
    vi.stubEnv('OPENAI_BASE_URL', emulator.url);
    const truth = emulator.truth().permissions;
    const names = Object.keys(truth);
    const half = Math.ceil(names.length / 2);
    const [a, b] = await Promise.all([
      auditOnSharedBudget(names.slice(0, half), redis.url),
      auditOnSharedBudget(names.slice(half), redis.url),
    ]);
    expect(a.summary.checkpoints.ok + b.summary.checkpoints.ok).toBe(names.length);
    expect(a.summary.permissions + b.summary.permissions).toBe(
      Object.values(truth).reduce((total, list) => total + list.length, 0),
    );
    // Redis stays up: only a machine too busy to answer within 50 ms would warn, each time that
    // it falls back and (unless the audit ended first) that it returns.
    for (const { warnings } of [a, b])
      expect(warnings.map((w) => w.type).join(' ')).toMatch(
        /^(unavailable restored ?)*(unavailable)?$/,
      );
    vi.unstubAllEnvs();
  });
});

/**
 * Options that would run the emulator out of memory, or that Node would silently clamp, are
 * refused up front with the library's ConfigError naming the option and the limit.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import {
  chaosEverywhere,
  seedOrganization,
  startEmulator,
  type EmulatorOptions,
} from '../../src/emulator/index.js';
import { MAX_DELAY_MS, MAX_SEEDED_CHECKPOINTS } from '../../src/emulator/limits.js';

async function rejection(options: EmulatorOptions): Promise<ConfigError> {
  const error = await startEmulator(options).then(
    async (emulator) => {
      await emulator.close();
      return undefined;
    },
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe('the size of a generated organization', () => {
  it('refuses jobs × checkpointsPerJob above the limit, naming both options and the limit', async () => {
    const error = await rejection({ organization: { jobs: 100_000, checkpointsPerJob: 1000 } });
    expect(error.message).toMatch(/jobs/);
    expect(error.message).toMatch(/checkpointsPerJob/);
    expect(error.message).toContain(MAX_SEEDED_CHECKPOINTS.toLocaleString('en-US'));
    expect(error.option).toBe('organization.jobs');
  });

  it('counts the default of up to 5 checkpoints per job', () => {
    expect(() => seedOrganization({ jobs: MAX_SEEDED_CHECKPOINTS })).toThrow(ConfigError);
  });

  it('refuses more than the limit of permissions on a large checkpoint', () => {
    expect(() => seedOrganization({ large: 100_000_000 })).toThrow(/large/);
  });

  it('throws ConfigError for a bad count', () => {
    expect(() => seedOrganization({ jobs: -1 })).toThrow(ConfigError);
  });
});

describe('delays are bounded: Node turns a timer above 2^31-1 ms into 1 ms', () => {
  const tooLong = 30 * 24 * 3_600_000;

  it.each([
    [{ latencyMs: tooLong }, 'latencyMs'],
    [{ chaos: { latency: 1, latencyMs: tooLong } }, 'chaos.latencyMs'],
    [{ chaos: { slowBody: 1, slowBodyMs: tooLong } }, 'chaos.slowBodyMs'],
  ] as const)('refuses %j', async (options, option) => {
    const error = await rejection(options);
    expect(error.option).toBe(option);
    expect(error.message).toContain(String(MAX_DELAY_MS));
  });

  it('accepts the maximum itself', async () => {
    const emulator = await startEmulator({ latencyMs: MAX_DELAY_MS });
    await emulator.close();
  });

  it('setLatency and setChaos refuse it too, and change nothing', async () => {
    const emulator = await startEmulator();
    try {
      expect(() => emulator.setLatency(tooLong)).toThrow(ConfigError);
      expect(() => emulator.setChaos({ latencyMs: tooLong })).toThrow(ConfigError);
      const response = await fetch(`${emulator.url.replace(/\/v1$/, '')}/__emulator/latency`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ms: tooLong }),
      });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(
        /latencyMs/,
      );
    } finally {
      await emulator.close();
    }
  });
});

describe('every option error is a ConfigError', () => {
  it.each([
    { port: -1 },
    { seed: 0.5 },
    { maxLimit: 0 },
    { latencyMs: -5 },
    { apiKey: '' },
    { adminKey: 5 },
    { assumptions: { regrant: 'maybe' } },
    { auditLogSince: -1 },
    { rateLimit: { requestsPerMinute: 0 } },
    { chaos: { reset: 2 } },
    { chaos: [] },
  ])('%j', async (options) => {
    await rejection(options as never);
  });

  it('chaosEverywhere', () => {
    expect(() => chaosEverywhere(2)).toThrow(ConfigError);
  });
});

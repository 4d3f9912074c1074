import { ConfigError } from '../errors.js';

/**
 * The longest delay the emulator accepts, in ms: `2^31 - 1`, about 24.8 days. Node fires a
 * timer set above it after 1 ms instead, so a longer latency would silently become none.
 *
 * @example
 * checkDelay('latencyMs', MAX_DELAY_MS); // accepted
 */
export const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * The most checkpoints a generated organization may hold (`jobs` × `checkpointsPerJob`): every
 * checkpoint, its job and its permissions live in memory, and a million is about what a laptop
 * holds comfortably.
 *
 * @example
 * seedOrganization({ jobs: 200_000, checkpointsPerJob: 5 }); // ConfigError: … more than the limit of 1,000,000
 */
export const MAX_SEEDED_CHECKPOINTS = 1_000_000;

/**
 * The most permissions generated for one checkpoint (a dataset count or `large`).
 *
 * @example
 * datasetOf({ 'ft:a': MAX_GENERATED_PERMISSIONS }); // the largest count a dataset accepts
 */
export const MAX_GENERATED_PERMISSIONS = 10_000_000;

/**
 * Validates a delay option: a number of ms from 0 to {@link MAX_DELAY_MS}.
 *
 * @throws ConfigError naming the option.
 * @example
 * checkDelay('chaos.latencyMs', 200); // 200
 */
export function checkDelay(option: string, ms: unknown): number {
  if (typeof ms !== 'number' || !(ms >= 0 && ms <= MAX_DELAY_MS)) {
    throw new ConfigError(
      option,
      `${option} must be a number of ms from 0 to ${MAX_DELAY_MS} (about 24.8 days, the longest ` +
        `timer Node honours), got ${JSON.stringify(ms)}`,
    );
  }
  return ms;
}

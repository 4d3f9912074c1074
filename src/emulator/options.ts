import { ConfigError } from '../errors.js';
import { checkDelay } from './limits.js';
import { resolveChaos, type ChaosSettings, type ResolvedChaos } from './chaos.js';
import type { Dataset } from './dataset.js';
import { resolveRateLimit, type RateLimitSettings, type ResolvedRateLimit } from './rate-limit.js';
import type { SeedOptions } from './seed.js';

/**
 * How to start an emulator. Every field is optional; the defaults serve the seeded organisation
 * on an ephemeral loopback port with no rate limit, latency or chaos.
 *
 * @example
 * const emulator = await startEmulator({ seed: 7, rateLimit: { requestsPerMinute: 600 } });
 */
export interface EmulatorOptions {
  /** TCP port; 0 picks a free one. The emulator always binds 127.0.0.1 only. @default 0 */
  port?: number;
  /** Seeds the generated organisation, new ids and chaos, so runs repeat. @default 1 */
  seed?: number;
  /** A dataset, or the path of a JSON file holding one. @default seedOrganization({ seed, ...organization }) */
  dataset?: Dataset | string;
  /** The shape of the generated organisation when no dataset is given. @default {} */
  organization?: SeedOptions;
  /** The admin key accepted as `Authorization: Bearer <key>`. @default 'sk-admin-emulator' */
  apiKey?: string;
  /**
   * Keys starting with `sk-` but not with this prefix are taken for non-admin keys and get a 403;
   * other wrong keys get a 401. @default 'sk-admin-'
   */
  adminKeyPrefix?: string;
  /** Largest `limit` accepted; above it a 400 names `limit`. @default 100 */
  maxLimit?: number;
  /** Latency added to every API request, in ms. @default 0 */
  latencyMs?: number;
  /** The request budget; `false` sends no `x-ratelimit-*` headers at all. @default false */
  rateLimit?: RateLimitSettings | false;
  /** Faults and slowness to inject. @default {} (none) */
  chaos?: ChaosSettings;
}

/**
 * Emulator options with every default applied and validated, the dataset still unresolved.
 *
 * @example
 * resolveOptions({}).apiKey; // 'sk-admin-emulator'
 */
export interface ResolvedOptions {
  readonly port: number;
  readonly seed: number;
  readonly dataset: Dataset | string | undefined;
  readonly organization: SeedOptions;
  readonly apiKey: string;
  readonly adminKeyPrefix: string;
  readonly maxLimit: number;
  readonly latencyMs: number;
  readonly rateLimit: ResolvedRateLimit | undefined;
  readonly chaos: ResolvedChaos;
}

/**
 * Applies the defaults once, at the boundary, and rejects bad values with the option's name.
 *
 * @throws ConfigError naming the option.
 * @example
 * resolveOptions({ maxLimit: 0 }); // ConfigError: maxLimit must be an integer >= 1, got 0
 */
export function resolveOptions(options: EmulatorOptions = {}): ResolvedOptions {
  const {
    port = 0,
    seed = 1,
    dataset,
    organization = {},
    apiKey = 'sk-admin-emulator',
    adminKeyPrefix = 'sk-admin-',
    maxLimit = 100,
    latencyMs = 0,
    rateLimit = false,
    chaos = {},
  } = options;
  integer('port', port, 0, 65_535);
  integer('seed', seed, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  integer('maxLimit', maxLimit, 1, Number.MAX_SAFE_INTEGER);
  checkLatency(latencyMs);
  if (typeof apiKey !== 'string' || !/^\S+$/.test(apiKey)) {
    throw new ConfigError('apiKey', 'apiKey must be a non-empty string without spaces');
  }
  if (typeof adminKeyPrefix !== 'string')
    throw new ConfigError('adminKeyPrefix', 'adminKeyPrefix must be a string');
  return {
    port,
    seed,
    dataset,
    organization: { seed, ...organization },
    apiKey,
    adminKeyPrefix,
    maxLimit,
    latencyMs,
    rateLimit: resolveRateLimit(rateLimit),
    chaos: resolveChaos(chaos, seed),
  };
}

/**
 * Validates a fixed latency in milliseconds.
 *
 * @throws ConfigError unless `ms` is a number from 0 to `MAX_DELAY_MS`.
 * @example
 * checkLatency(20); // 20
 */
export function checkLatency(ms: number): number {
  return checkDelay('latencyMs', ms);
}

function integer(name: string, value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    throw new ConfigError(
      name,
      `${name} must be an integer ${range}, got ${JSON.stringify(value)}`,
    );
  }
}

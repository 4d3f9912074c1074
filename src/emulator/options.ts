import { ConfigError } from '../errors.js';
import { checkDelay } from './limits.js';
import { resolveChaos, type ChaosSettings, type ResolvedChaos } from './chaos.js';
import type { Dataset } from './dataset.js';
import { resolveRateLimit, type RateLimitSettings, type ResolvedRateLimit } from './rate-limit.js';
import type { SeedOptions } from './seed.js';
import { resolveAssumptions, type Assumptions } from './assumptions.js';

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
  /**
   * The organization's admin key, accepted as `Authorization: Bearer <key>` on the permission and
   * `/organization/*` endpoints. Project keys come from the dataset. @default 'sk-admin-emulator'
   */
  adminKey?: string;
  /** @deprecated The old name of `adminKey`; `adminKey` wins when both are given. */
  apiKey?: string;
  /**
   * When the organization enabled audit logging, in Unix seconds: dataset grants older than it
   * have no audit event, and writes before it record none. `null`: no dataset grant has one.
   * @default the dataset's `audit_log_since` (the generated organisation: its median grant time)
   */
  auditLogSince?: number | null;
  /**
   * Largest `limit` the permission and jobs lists accept (the spec declares no maximum for the
   * permission list); above it a 400 names `limit`. Projects and audit logs cap at 100 (spec).
   * @default 100
   */
  maxLimit?: number;
  /** What the emulator assumes where the spec is silent. @default {} (see {@link Assumptions}) */
  assumptions?: Assumptions;
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
 * resolveOptions({}).adminKey; // 'sk-admin-emulator'
 */
export interface ResolvedOptions {
  readonly port: number;
  readonly seed: number;
  readonly dataset: Dataset | string | undefined;
  readonly organization: SeedOptions;
  readonly adminKey: string;
  readonly auditLogSince: number | null | undefined;
  readonly assumptions: Required<Assumptions>;
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
    apiKey,
    adminKey = apiKey ?? 'sk-admin-emulator',
    auditLogSince,
    assumptions,
    maxLimit = 100,
    latencyMs = 0,
    rateLimit = false,
    chaos = {},
  } = options;
  integer('port', port, 0, 65_535);
  integer('seed', seed, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  integer('maxLimit', maxLimit, 1, Number.MAX_SAFE_INTEGER);
  checkLatency(latencyMs);
  if (typeof adminKey !== 'string' || !/^\S+$/.test(adminKey)) {
    const name = options.adminKey === undefined ? 'apiKey' : 'adminKey';
    throw new ConfigError(name, `${name} must be a non-empty string without spaces`);
  }
  if (auditLogSince !== undefined && auditLogSince !== null) {
    integer('auditLogSince', auditLogSince, 0, Number.MAX_SAFE_INTEGER);
  }
  return {
    port,
    seed,
    dataset,
    organization: { seed, ...organization },
    adminKey,
    auditLogSince,
    assumptions: resolveAssumptions(assumptions),
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

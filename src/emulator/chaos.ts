import { ConfigError } from '../errors.js';
import { MAX_DELAY_MS } from './limits.js';
import type { Random } from './prng.js';

/**
 * Faults and slowness to inject into API requests, each with its own probability per request.
 * At most one fault happens per request; latency and slow bodies apply only to requests without
 * a fault. All draws come from one PRNG seeded by `seed`, so the same sequence of requests meets
 * the same chaos.
 *
 * @example
 * await startEmulator({ chaos: { error503: 0.1, reset: 0.05, latency: 0.2, latencyMs: 50 } });
 */
export interface ChaosSettings {
  /** @default the emulator's seed */
  seed?: number;
  /** 500 `server_error` JSON; half of them (by the PRNG) carry `x-should-retry: true`. @default 0 */
  error500?: number;
  /** 502 with an HTML body (`text/html`), as a proxy in front of the API sends. @default 0 */
  error502Html?: number;
  /** 503 `server_error` JSON with `x-should-retry: true`. @default 0 */
  error503?: number;
  /** Destroy the socket (TCP RST) before any response byte. @default 0 */
  reset?: number;
  /** Send the headers and about half the body, then destroy the socket. @default 0 */
  truncate?: number;
  /** Probability of added latency before the response. @default 0 */
  latency?: number;
  /** @default 200 */
  latencyMs?: number;
  /** Probability of writing the body in a few chunks spread over `slowBodyMs`. @default 0 */
  slowBody?: number;
  /** @default 200 */
  slowBodyMs?: number;
  /**
   * Audit log events become visible only this many ms after the write that made them, as a
   * real audit log lags behind. Not a per-request fault: it applies to every event. @default 0
   */
  auditLogDelayMs?: number;
}

/**
 * The fault kinds, in the order their probability intervals are laid out.
 *
 * @example
 * const kind: FaultKind = 'truncate';
 */
export type FaultKind = 'error500' | 'error502Html' | 'error503' | 'reset' | 'truncate';

const FAULTS: readonly FaultKind[] = ['error500', 'error502Html', 'error503', 'reset', 'truncate'];

const DEFAULTS = {
  error500: 0,
  error502Html: 0,
  error503: 0,
  reset: 0,
  truncate: 0,
  latency: 0,
  latencyMs: 200,
  slowBody: 0,
  slowBodyMs: 200,
  auditLogDelayMs: 0,
} as const;

/**
 * Chaos settings with every default filled in and validated.
 *
 * @example
 * const chaos: ResolvedChaos = resolveChaos({ error500: 0.1 }, 1);
 */
export type ResolvedChaos = Readonly<Required<ChaosSettings>>;

/**
 * Validates chaos settings and fills in the defaults.
 *
 * @throws ConfigError naming the bad field: probabilities must lie in [0, 1], the fault
 * probabilities must not add up to more than 1, and durations must not exceed `MAX_DELAY_MS`.
 * @example
 * resolveChaos({}, 1); // every probability 0
 */
export function resolveChaos(settings: ChaosSettings, defaultSeed: number): ResolvedChaos {
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) {
    throw new ConfigError('chaos', 'chaos must be an object of probabilities');
  }
  const given = Object.entries(settings).filter(([, value]) => value !== undefined);
  for (const [key, value] of given) {
    const rule = ruleFor(key);
    if (!rule) throw new ConfigError(`chaos.${key}`, `chaos.${key} is not a chaos setting`);
    const [valid, expected] = rule;
    if (!valid(value)) {
      throw new ConfigError(
        `chaos.${key}`,
        `chaos.${key} ${expected}, got ${JSON.stringify(value)}`,
      );
    }
  }
  const chaos: ResolvedChaos = { seed: defaultSeed, ...DEFAULTS, ...Object.fromEntries(given) };
  const total = FAULTS.reduce((sum, kind) => sum + chaos[kind], 0);
  if (total > 1 + 1e-9) {
    throw new ConfigError('chaos', `chaos fault probabilities add up to ${total}, more than 1`);
  }
  return chaos;
}

type Rule = readonly [valid: (value: unknown) => boolean, expected: string];

const isProbability = (value: unknown): boolean =>
  typeof value === 'number' && value >= 0 && value <= 1;
const isDuration = (value: unknown): boolean =>
  typeof value === 'number' && value >= 0 && value <= MAX_DELAY_MS;

function ruleFor(key: string): Rule | undefined {
  if (key === 'seed') return [Number.isSafeInteger, 'must be an integer'];
  if (!(key in DEFAULTS)) return undefined;
  return key.endsWith('Ms')
    ? [isDuration, `must be a duration in ms from 0 to ${MAX_DELAY_MS}`]
    : [isProbability, 'must be a probability in [0, 1]'];
}

/**
 * Spreads a total fault probability `p` evenly over the five fault kinds (500, 502 HTML, 503,
 * reset, truncate), without latency: the CLI's `--chaos <p>`.
 *
 * @example
 * chaosEverywhere(0.1); // { error500: 0.02, error502Html: 0.02, error503: 0.02, reset: 0.02, truncate: 0.02 }
 */
export function chaosEverywhere(p: number): ChaosSettings {
  if (!(p >= 0 && p <= 1)) {
    throw new ConfigError('chaos', `chaos probability must be in [0, 1], got ${p}`);
  }
  return Object.fromEntries(FAULTS.map((kind) => [kind, p / FAULTS.length]));
}

/**
 * What chaos does to one request.
 *
 * @example
 * const { fault, shouldRetry, latencyMs, slowBodyMs } = rollChaos(chaos, random);
 */
export interface ChaosRoll {
  readonly fault: FaultKind | undefined;
  /** For a 500: whether it carries `x-should-retry: true`. */
  readonly shouldRetry: boolean;
  readonly latencyMs: number;
  readonly slowBodyMs: number;
}

/**
 * Decides the chaos for one request. It always draws exactly four numbers, so whether one
 * request faults never shifts the decisions for the requests after it.
 *
 * @example
 * rollChaos(resolveChaos({ error503: 1 }, 1), mulberry32(1)).fault; // 'error503'
 */
export function rollChaos(chaos: ResolvedChaos, random: Random): ChaosRoll {
  const [faultDraw, retryDraw, latencyDraw, slowDraw] = [random(), random(), random(), random()];
  let fault: FaultKind | undefined;
  let threshold = 0;
  for (const kind of FAULTS) {
    threshold += chaos[kind];
    if (faultDraw < threshold) {
      fault = kind;
      break;
    }
  }
  return {
    fault,
    shouldRetry: retryDraw < 0.5,
    latencyMs: fault === undefined && latencyDraw < chaos.latency ? chaos.latencyMs : 0,
    slowBodyMs: fault === undefined && slowDraw < chaos.slowBody ? chaos.slowBodyMs : 0,
  };
}

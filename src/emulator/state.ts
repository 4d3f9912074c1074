import { performance } from 'node:perf_hooks';
import type { Assumptions } from './assumptions.js';
import type { KnownKeys } from './auth.js';
import {
  resolveChaos,
  rollChaos,
  type ChaosRoll,
  type ChaosSettings,
  type ResolvedChaos,
} from './chaos.js';
import { checkLatency, type ResolvedOptions } from './options.js';
import { deriveSeed, mulberry32, type Random } from './prng.js';
import {
  rateLimitExceeded,
  rateLimitHeaders,
  resolveRateLimit,
  type RateLimitSettings,
  type ResolvedRateLimit,
} from './rate-limit.js';
import type { Reply } from './reply.js';
import { requestIds } from './request-id.js';
import { Stats } from './stats.js';
import type { Store } from './store.js';
import { Timers } from './timers.js';
import { fullBucket, takeToken, type TokenBucket } from './token-bucket.js';

/**
 * The verdict of the rate limiter on one request: the headers every response carries and, when
 * the budget is spent, the 429 to send instead.
 *
 * @example
 * const { headers, exceeded } = state.admit();
 */
export interface Admission {
  readonly headers: Record<string, string>;
  readonly exceeded?: Reply;
}

/**
 * Everything one emulator holds: its data, counters, timers and the settings that can change
 * while it runs. Nothing lives at module level, so emulators in one process never interfere.
 *
 * @example
 * const state = new EmulatorState(resolveOptions({}), store);
 * state.setChaos({ error503: 1 });
 */
export class EmulatorState {
  readonly store: Store;
  readonly stats = new Stats();
  readonly timers = new Timers();
  readonly keys: KnownKeys;
  readonly assumptions: Required<Assumptions>;
  readonly maxLimit: number;
  readonly nextRequestId = requestIds();
  #seed: number;
  #latencyMs: number;
  #chaos!: ResolvedChaos;
  #chaosRandom!: Random;
  #rateLimit: ResolvedRateLimit | undefined;
  #bucket: TokenBucket | undefined;

  constructor(options: ResolvedOptions, store: Store) {
    this.store = store;
    this.keys = { adminKey: options.adminKey, projectOfKey: (key) => store.projectOfKey(key) };
    this.assumptions = options.assumptions;
    this.maxLimit = options.maxLimit;
    this.#seed = options.seed;
    this.#latencyMs = options.latencyMs;
    this.#useChaos(options.chaos);
    this.#useRateLimit(options.rateLimit);
  }

  /** Latency added to every API request. */
  get latencyMs(): number {
    return this.#latencyMs;
  }

  /** The chaos in force, defaults filled in. */
  get chaos(): ResolvedChaos {
    return this.#chaos;
  }

  /** The rate limit in force, or `undefined` when unlimited. */
  get rateLimit(): ResolvedRateLimit | undefined {
    return this.#rateLimit;
  }

  /** Replaces the chaos settings and restarts their PRNG from the (new) seed. */
  setChaos(chaos: ChaosSettings): void {
    this.#useChaos(resolveChaos(chaos, this.#seed));
  }

  /** Replaces the rate limit and starts from a full bucket. */
  setRateLimit(rateLimit: RateLimitSettings | false): void {
    this.#useRateLimit(resolveRateLimit(rateLimit));
  }

  /** Replaces the latency added to every API request. */
  setLatency(ms: number): void {
    this.#latencyMs = checkLatency(ms);
  }

  /** Takes a token for one request (when rate limiting is on). */
  admit(): Admission {
    if (!this.#rateLimit || !this.#bucket) return { headers: {} };
    const decision = takeToken(this.#bucket, performance.now());
    this.#bucket = decision.bucket;
    const headers = rateLimitHeaders(this.#rateLimit, decision);
    if (decision.allowed) return { headers };
    const { headers: retryHeaders, body } = rateLimitExceeded(
      this.#rateLimit,
      decision,
      this.store.organizationId,
    );
    return { headers, exceeded: { status: 429, headers: retryHeaders, body } };
  }

  /** Decides the chaos for one request. */
  rollChaos(): ChaosRoll {
    return rollChaos(this.#chaos, this.#chaosRandom);
  }

  #useChaos(chaos: ResolvedChaos): void {
    this.#chaos = chaos;
    this.#chaosRandom = mulberry32(deriveSeed(chaos.seed, 'chaos'));
  }

  #useRateLimit(rateLimit: ResolvedRateLimit | undefined): void {
    this.#rateLimit = rateLimit;
    this.#bucket =
      rateLimit && fullBucket(rateLimit.requestsPerMinute, rateLimit.burst, performance.now());
  }
}

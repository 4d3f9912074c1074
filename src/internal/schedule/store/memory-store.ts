import { CubicRate } from '../cubic-rate.js';
import { TokenBucket } from '../token-bucket.js';
import type { LimiterStore, Observation, StoreCall, StoreDecision } from './limiter-store.js';

/** The bucket holds one second's worth of requests, as the AWS limiter's does. */
export const BURST_MS = 1000;

/**
 * One bucket's shared state, and the two decisions made on it: learn from a response, take a
 * token. The reference semantics: the Redis store's Lua script is this class, line for line (the
 * differential spec holds them to it).
 */
class SharedBucket {
  readonly #cubic: CubicRate;
  #bucket: TokenBucket | undefined;
  #pausedUntil = 0;
  #sent = 0;
  #retryTokens: number | undefined;

  constructor(now: number, fixedRatePerMs: number | undefined) {
    this.#cubic = new CubicRate(now / 1000);
    if (fixedRatePerMs !== undefined)
      this.#bucket = new TokenBucket(
        fixedRatePerMs,
        Math.max(1, fixedRatePerMs * BURST_MS),
        now,
        1,
      );
  }

  learn(seen: Observation, now: number): void {
    if (seen.pauseMs > 0) this.#pauseUntil(now + seen.pauseMs);
    if (seen.ratePerMs !== undefined) this.#setRate(seen.ratePerMs, now, seen.remaining);
    if (seen.remaining !== undefined) {
      // Requests taken after this one had not reached the server when it counted `remaining`.
      this.#bucket?.clampTo(seen.remaining - (this.#sent - seen.seq), now);
      if (seen.remaining === 0 && seen.resetMs !== undefined) this.#pauseUntil(now + seen.resetMs);
    }
    if (seen.cubic) {
      const rate = this.#cubic.observe(now / 1000, seen.cubic.throttled);
      // Just throttled: a bucket made now starts empty (an existing one keeps its tokens).
      if (this.#cubic.enabled) this.#setRate(rate / 1000, now, 0);
    }
  }

  /** Takes a token now or, with `reserve` and no pause on, the next one (see `StoreCall`). */
  take(now: number, reserve: boolean): StoreDecision {
    const pauseWait = this.#pausedUntil - now;
    const tokenWait = this.#bucket?.msUntilToken(now) ?? 0;
    if (pauseWait > 0 || (tokenWait > 0 && !reserve))
      return this.decision(Math.max(pauseWait, tokenWait), undefined, now);
    this.#bucket?.takeAhead(now);
    return this.decision(tokenWait, ++this.#sent, now);
  }

  /** Applies a client's retry budget change; the shared budget starts full. */
  retry(budget: NonNullable<StoreCall['retryBudget']>): void {
    const tokens = (this.#retryTokens ?? budget.capacity) + budget.change;
    this.#retryTokens = Math.min(budget.capacity, Math.max(0, tokens));
  }

  /** The answer to a call, for metrics: no token taken unless `seq` says so. */
  decision(waitMs: number, seq: number | undefined, now: number): StoreDecision {
    return {
      waitMs,
      seq,
      ratePerSecond: this.#bucket?.ratePerSecond,
      pausedForMs: Math.max(0, this.#pausedUntil - now),
      tokenWaitMs: this.#bucket?.peekMsUntilToken(now) ?? 0,
      retryTokens: this.#retryTokens,
    };
  }

  /** Sets the pace; a new bucket starts with `tokens` (what the server says is left). */
  #setRate(ratePerMs: number, now: number, tokens: number | undefined): void {
    const capacity = Math.max(1, ratePerMs * BURST_MS);
    if (this.#bucket) this.#bucket.reconfigure(ratePerMs, capacity, now);
    else this.#bucket = new TokenBucket(ratePerMs, capacity, now, tokens ?? 1);
  }

  #pauseUntil(until: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, until);
  }
}

/**
 * The default {@link LimiterStore}: the bucket in this process's memory, answered synchronously,
 * so a client without a shared store pays no promise per request. Time is the limiter's
 * scheduler clock, so virtual-time tests drive it.
 *
 * @example
 * ```ts
 * const store = new MemoryStore();
 * store.decide('', { observations: [], take: true, reserve: false, fixedRatePerMs: undefined }, 0);
 * // { waitMs: 0, seq: 1, ratePerSecond: undefined, pausedForMs: 0, tokenWaitMs: 0 }
 * ```
 */
export class MemoryStore implements LimiterStore {
  readonly #buckets = new Map<string, SharedBucket>();

  decide(scope: string, call: StoreCall, now: number): StoreDecision {
    let bucket = this.#buckets.get(scope);
    if (!bucket) this.#buckets.set(scope, (bucket = new SharedBucket(now, call.fixedRatePerMs)));
    for (const seen of call.observations) bucket.learn(seen, now);
    if (call.retryBudget) bucket.retry(call.retryBudget);
    return call.take ? bucket.take(now, call.reserve) : bucket.decision(0, undefined, now);
  }
}

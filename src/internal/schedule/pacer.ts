import type { RateLimitSignal } from '../../errors.js';
import {
  publishLimiterPause,
  publishLimiterRate,
  type LimiterMode,
} from '../http/trace-channels.js';
import type { Observation } from './store/limiter-store.js';

/** The pacer's knobs: the limiter's, less its slots and store (see `RateLimitOptions`). */
export interface PacerOptions {
  /** A fixed cap, requests per minute; learned from the server when absent. */
  readonly requestsPerMinute: number | undefined;
  /** Learn a rate from 429s when the server sends no rate headers. */
  readonly adaptive: boolean;
  /** The pause after a 429 that did not say how long to wait, ms. */
  readonly defaultCooldown: number;
  /** The longest pause honoured, ms (the retry policy's `maxRetryAfter`). */
  readonly maxPause: number;
}

/**
 * Pacing under a header-announced limit keeps this much of it in reserve, so that the server's
 * bucket never quite empties and timer jitter or another process on the same key does not turn
 * into 429s.
 */
const HEADER_RATE_SHARE = 0.95;

/**
 * What each response teaches the limiter about pace, the half of the limiter that reads the
 * server: the `rateLimit` signal the transport read from the headers becomes an
 * {@link Observation} for the store (a pace from `x-ratelimit-limit-requests`, a pause from a
 * 429's `retry-after` or from a spent budget, or a CUBIC step when the server sends no rate
 * headers). The other half, the limiter's queue and slots, decides who goes when.
 *
 * It also keeps the pause it learned last, so that a retry decided a moment later knows how long
 * the limiter will hold it even before a shared store has answered.
 *
 * @example
 * ```ts
 * const pacer = new Pacer({ requestsPerMinute: undefined, adaptive: true,
 *   defaultCooldown: 1000, maxPause: 60_000 });
 * pacer.observe({ retryAfterMs: 2000 }, 429, 1, 0); // { seq: 1, pauseMs: 2000, cubic: { throttled: true } }
 * pacer.pausedForMs(500); // 1500
 * ```
 */
export class Pacer {
  readonly #options: PacerOptions;
  /** `requestsPerMinute` as requests per ms: a cap on any learned pace. */
  readonly fixedRatePerMs: number | undefined;
  #mode: LimiterMode = 'slow-start';
  #rateLimited = 0;
  #pausedUntil = 0;

  constructor(options: PacerOptions) {
    this.#options = options;
    const perMinute = options.requestsPerMinute;
    this.fixedRatePerMs = perMinute === undefined ? undefined : perMinute / 60_000;
  }

  /** How the pace is set: `slow-start` until the first response, then from what it said. */
  get mode(): LimiterMode {
    return this.#mode;
  }

  /** 429s seen. */
  get rateLimited(): number {
    return this.#rateLimited;
  }

  /** Ms until the last pause this pacer learned ends, at `now` (scheduler time); 0 if none. */
  pausedForMs(now: number): number {
    return Math.max(0, this.#pausedUntil - now);
  }

  /**
   * What the response (or error response) to the `seq`-th request taught, at `now` on the
   * limiter's scheduler; `undefined` when it taught nothing.
   */
  observe(
    signal: RateLimitSignal,
    status: number,
    seq: number,
    now: number,
  ): Observation | undefined {
    const throttled = status === 429;
    let pauseMs = 0;
    if (throttled) {
      this.#rateLimited++;
      // The server's word on when to come back applies to every stream of this client, not
      // just the request that got the 429 (the official SDK only delays that one request).
      const asked = signal.retryAfterMs;
      const { defaultCooldown, maxPause } = this.#options;
      // A longer wait than `maxPause` fails its request; the rest pause only `defaultCooldown`,
      // and never longer than `maxPause`, even with a `defaultCooldown` set above it.
      pauseMs = Math.min(
        asked === undefined || asked > maxPause ? defaultCooldown : asked,
        maxPause,
      );
      this.#pause(pauseMs, now);
      publishLimiterPause(pauseMs, 'rate-limited');
    }
    const info = signal.budget;
    if (info) {
      this.#mode = 'headers';
      const fixed = this.fixedRatePerMs;
      const learned =
        info.limit === undefined ? undefined : (info.limit * HEADER_RATE_SHARE) / 60_000;
      // A reset hours away (`x-ratelimit-reset-requests: 2h`) must not stall the client past
      // the longest wait it was told to honour: after `maxPause`, the server's next answer
      // decides again.
      const resetMs =
        info.resetMs === undefined ? undefined : Math.min(info.resetMs, this.#options.maxPause);
      if (info.remaining === 0 && resetMs !== undefined) {
        this.#pause(resetMs, now);
        publishLimiterPause(resetMs, 'budget-exhausted');
      }
      return {
        seq,
        pauseMs,
        ratePerMs:
          learned === undefined || fixed === undefined ? learned : Math.min(learned, fixed),
        remaining: info.remaining,
        resetMs,
      };
    }
    if (this.#mode !== 'headers') {
      this.#mode = this.fixedRatePerMs === undefined ? 'adaptive' : 'fixed';
      if (this.#options.adaptive && this.#mode === 'adaptive')
        return { seq, pauseMs, cubic: { throttled } };
    }
    return pauseMs > 0 ? { seq, pauseMs } : undefined;
  }

  /** Reports a new pace from the store on the limiter channel, named by the current mode. */
  publishRate(ratePerSecond: number): void {
    publishLimiterRate(ratePerSecond, this.#mode);
  }

  #pause(ms: number, now: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, now + ms);
  }
}

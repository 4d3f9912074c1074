import { Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { APIError } from '../errors.js';
import type { Headers } from '../http/headers.js';
import { parseRateLimitHeaders } from '../http/rate-limit-headers.js';
import { retryAfterMs } from '../http/retry-after.js';
import { publishLimiterPause, publishLimiterRate } from '../http/trace-channels.js';
import { CubicRate } from './cubic-rate.js';
import { FairQueue } from './fair-queue.js';
import { timerDelay } from '../timer-delay.js';
import { TokenBucket } from './token-bucket.js';

/** The limiter's knobs, resolved by `createClient` (see `RateLimitOptions` for their defaults). */
export interface LimiterOptions {
  readonly maxConcurrency: number;
  /** A fixed cap, requests per minute; learned from the server when absent. */
  readonly requestsPerMinute: number | undefined;
  /** Learn a rate from 429s when the server sends no rate headers. */
  readonly adaptive: boolean;
  /** The pause after a 429 that did not say how long to wait, ms. */
  readonly defaultCooldown: number;
  /**
   * The longest pause, ms (the retry policy's `maxRetryAfter`). A 429 asking for longer fails its
   * request at once; the rest of the client then pauses only `defaultCooldown`, not the hour the
   * server asked for. An exhausted budget (`x-ratelimit-remaining-requests: 0`) whose reset is
   * further away pauses this long, then lets requests try again.
   */
  readonly maxPause: number;
  readonly scheduler: SchedulerLike;
}

/**
 * How the limiter currently decides its pace.
 *
 * @example
 * ```ts
 * if (client.metrics().limiter.mode === 'adaptive') {
 *   console.info('The server sends no x-ratelimit-* headers: pacing is learned from 429s');
 * }
 * ```
 */
export type LimiterMode =
  /** No response yet: one request at a time until the server reveals its budget. */
  | 'slow-start'
  /** Paced by `x-ratelimit-*` headers. */
  | 'headers'
  /** No rate headers: free until a 429, then CUBIC-paced. */
  | 'adaptive'
  /** Paced by the configured `requestsPerMinute` alone. */
  | 'fixed';

/**
 * A snapshot for metrics and progress bars.
 *
 * @example
 * ```ts
 * const { active, queued, ratePerSecond, pausedForMs } = client.metrics().limiter;
 * console.log(`${active} active, ${queued} queued, ${ratePerSecond ?? 'unpaced'} req/s`);
 * if (pausedForMs > 0) console.log(`paused for ${pausedForMs} ms`);
 * ```
 */
export interface LimiterState {
  readonly mode: LimiterMode;
  readonly active: number;
  readonly queued: number;
  /** The pace in force, requests per second; `undefined` when unpaced. */
  readonly ratePerSecond: number | undefined;
  /** Ms until a pause (429 cooldown or exhausted budget) ends; 0 when not paused. */
  readonly pausedForMs: number;
  /** Requests sent, 429s seen, and the sum of the time requests spent queued. */
  readonly requests: number;
  readonly rateLimited: number;
  readonly waitedMs: number;
}

interface Ticket {
  readonly key: string;
  readonly queuedAt: number;
  readonly start: () => void;
  readonly fail: (error: Error) => void;
}

/**
 * Pacing under a header-announced limit keeps this much of it in reserve, so that the server's
 * bucket never quite empties and timer jitter or another process on the same key does not turn
 * into 429s.
 */
const HEADER_RATE_SHARE = 0.95;
/** The bucket holds one second's worth of requests, as the AWS limiter's does. */
const BURST_MS = 1000;

/**
 * The one limiter of a client, shared by all its streams. Before each request it waits for:
 * a free slot (at most `maxConcurrency` in flight; one during the slow start), the end of any
 * client-wide pause, and a token of the pace. Waiting requests take turns by key (checkpoint),
 * and one that is unsubscribed leaves the queue at once.
 *
 * It learns from every response: `x-ratelimit-limit-requests` sets the pace,
 * `x-ratelimit-remaining-requests` caps the tokens and, at 0, pauses everything until
 * `x-ratelimit-reset-requests`; a 429 pauses everything for its `retry-after`. Without rate
 * headers it falls back to {@link CubicRate}. Every wait is timed on the scheduler.
 *
 * @example
 * ```ts
 * const limiter = new Limiter({ maxConcurrency: 8, requestsPerMinute: undefined, adaptive: true,
 *   defaultCooldown: 1000, maxPause: 60_000, scheduler: asyncScheduler });
 * limiter.run('ft:…:ckpt-step-10', sendRequest$(transport, spec, { timeout: 30_000 }));
 * ```
 */
export class Limiter {
  readonly #options: LimiterOptions;
  readonly #queue = new FairQueue<Ticket>();
  readonly #cubic: CubicRate;
  #bucket: TokenBucket | undefined;
  #mode: LimiterMode;
  #active = 0;
  #sent = 0;
  #rateLimited = 0;
  #waitedMs = 0;
  #pausedUntil = 0;
  #wake: { at: number; subscription: Subscription } | undefined;
  #pumping = false;
  #disposed: Error | undefined;

  constructor(options: LimiterOptions) {
    this.#options = options;
    const now = options.scheduler.now();
    this.#cubic = new CubicRate(now / 1000);
    this.#mode = 'slow-start';
    if (options.requestsPerMinute !== undefined) {
      const rate = options.requestsPerMinute / 60_000;
      this.#bucket = new TokenBucket(rate, Math.max(1, rate * BURST_MS), now, 1);
    }
  }

  /**
   * Runs `task` (one HTTP attempt) when the limiter allows, and learns from its outcome. Cold:
   * queues on subscribe; unsubscribing dequeues it, or aborts it if already running.
   */
  run<T extends { readonly headers: Headers; readonly status: number }>(
    key: string,
    task: Observable<T>,
  ): Observable<T> {
    return new Observable<T>((subscriber) => {
      // A subscriber already gone (`expand` subscribes to the next page after a `take(1)`) must
      // not take a slot, a token and a socket only to abort at once.
      if (subscriber.closed) return;
      if (this.#disposed) return subscriber.error(this.#disposed);
      let inner: Subscription | undefined;
      let started = false;
      let seq = 0;
      const ticket: Ticket = {
        key,
        queuedAt: this.#now(),
        start: () => {
          started = true;
          seq = ++this.#sent;
          this.#active++;
          this.#waitedMs += this.#now() - ticket.queuedAt;
          inner = task.subscribe({
            next: (response) => {
              this.#learn(response.headers, response.status, seq);
              subscriber.next(response);
            },
            error: (error: unknown) => {
              if (error instanceof APIError && error.status !== undefined)
                this.#learn(error.headers, error.status, seq);
              subscriber.error(error);
            },
            complete: () => subscriber.complete(),
          });
        },
        fail: (error) => subscriber.error(error),
      };
      this.#queue.push(key, ticket);
      this.#pump();
      return () => {
        // A task that fails synchronously ends before `inner` is even assigned.
        if (started) {
          inner?.unsubscribe();
          this.#active--;
          this.#pump();
        } else {
          this.#queue.remove(key, ticket);
          // Nobody left waiting: a pending wake-up would only hold the process open.
          if (this.#queue.size === 0) this.#cancelWake();
        }
      };
    });
  }

  /**
   * Ends the limiter with its client: its timer is cancelled, and every request still waiting
   * fails with `error` instead of starting on a closed connection pool.
   */
  dispose(error: Error): void {
    this.#disposed = error;
    this.#cancelWake();
    for (let ticket = this.#queue.shift(); ticket; ticket = this.#queue.shift()) ticket.fail(error);
  }

  state(): LimiterState {
    const now = this.#now();
    return {
      mode: this.#mode,
      active: this.#active,
      queued: this.#queue.size,
      ratePerSecond: this.#bucket?.ratePerSecond,
      pausedForMs: Math.max(0, this.#pausedUntil - now),
      requests: this.#sent,
      rateLimited: this.#rateLimited,
      waitedMs: this.#waitedMs,
    };
  }

  #now(): number {
    return this.#options.scheduler.now();
  }

  /** Starts every waiting request the limits allow now, or sets a timer for when they will. */
  #pump(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      const slots = (): number => (this.#mode === 'slow-start' ? 1 : this.#options.maxConcurrency);
      while (this.#queue.size > 0 && this.#active < slots()) {
        const now = this.#now();
        const wait = Math.max(this.#pausedUntil - now, this.#bucket?.msUntilToken(now) ?? 0);
        if (wait > 0) {
          this.#wakeIn(wait, now);
          return;
        }
        this.#bucket?.tryTake(now);
        (this.#queue.shift() as Ticket).start();
      }
      if (this.#queue.size === 0) this.#cancelWake();
    } finally {
      this.#pumping = false;
    }
  }

  #cancelWake(): void {
    this.#wake?.subscription.unsubscribe();
    this.#wake = undefined;
  }

  #wakeIn(ms: number, now: number): void {
    const at = now + ms;
    if (this.#wake && this.#wake.at <= at) return;
    this.#wake?.subscription.unsubscribe();
    this.#wake = {
      at,
      // A clamped wait wakes early and `#pump` re-arms the timer for what is left.
      subscription: this.#options.scheduler.schedule(() => {
        this.#wake = undefined;
        this.#pump();
      }, timerDelay(ms)),
    };
  }

  /** Updates pace and pauses from one response (or error response) to the `seq`-th request. */
  #learn(headers: Headers, status: number, seq: number): void {
    const now = this.#now();
    const throttled = status === 429;
    if (throttled) {
      this.#rateLimited++;
      // The server's word on when to come back applies to every stream of this client, not
      // just the request that got the 429 (the official SDK only delays that one request).
      const asked = retryAfterMs(headers, Date.now());
      const pause =
        asked === undefined || asked > this.#options.maxPause
          ? this.#options.defaultCooldown
          : asked;
      this.#pauseFor(pause, now, 'rate-limited');
    }
    const info = parseRateLimitHeaders(headers);
    if (info) {
      this.#mode = 'headers';
      if (info.limit !== undefined) {
        const learned = (info.limit * HEADER_RATE_SHARE) / 60_000;
        const fixed = this.#options.requestsPerMinute;
        this.#setRate(
          fixed === undefined ? learned : Math.min(learned, fixed / 60_000),
          now,
          info.remaining,
        );
      }
      if (info.remaining !== undefined) {
        // Requests sent after this one have already taken their tokens here but had not reached
        // the server when it counted `remaining`.
        this.#bucket?.clampTo(info.remaining - (this.#sent - seq), now);
        if (info.remaining === 0 && info.resetMs !== undefined)
          this.#pauseFor(info.resetMs, now, 'budget-exhausted');
      }
    } else if (this.#mode !== 'headers') {
      this.#mode = this.#options.requestsPerMinute === undefined ? 'adaptive' : 'fixed';
      if (this.#options.adaptive && this.#mode === 'adaptive') {
        const rate = this.#cubic.observe(now / 1000, throttled);
        // Just throttled: a bucket made now starts empty (an existing one keeps its tokens).
        if (this.#cubic.enabled) this.#setRate(rate / 1000, now, 0);
      }
    }
    this.#pump();
  }

  /** Sets the pace; a new bucket starts with `tokens` (what the server says is left). */
  #setRate(ratePerMs: number, now: number, tokens: number | undefined): void {
    const capacity = Math.max(1, ratePerMs * BURST_MS);
    if (this.#bucket?.ratePerSecond !== ratePerMs * 1000)
      publishLimiterRate(ratePerMs * 1000, this.#mode);
    if (this.#bucket) this.#bucket.reconfigure(ratePerMs, capacity, now);
    else this.#bucket = new TokenBucket(ratePerMs, capacity, now, tokens ?? 1);
  }

  /**
   * Pauses every request for `ms`, but never longer than `maxPause`: a server announcing a reset
   * hours away (`x-ratelimit-reset-requests: 2h`) must not stall the client past the longest
   * wait it was told to honour. After `maxPause` requests resume, and the server's next answer
   * (a 429, or fresh headers) decides again.
   */
  #pauseFor(ms: number, now: number, reason: 'rate-limited' | 'budget-exhausted'): void {
    const until = now + Math.min(ms, this.#options.maxPause);
    publishLimiterPause(until - now, reason);
    this.#pausedUntil = Math.max(this.#pausedUntil, until);
  }
}

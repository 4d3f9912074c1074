import { Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { APIError, type RateLimitSignal } from '../../errors.js';
import type { LimiterMode } from '../http/trace-channels.js';
import { FairQueue } from './fair-queue.js';
import { Pacer } from './pacer.js';
import {
  isPending,
  type LimiterStore,
  type Observation,
  type StoreDecision,
} from './store/limiter-store.js';
import { MemoryStore } from './store/memory-store.js';
import { timerDelay } from '../timer-delay.js';

/**
 * What the limiter needs of the client's retry budget to share it through a store (the retry
 * layer's `RetryBudget` is one): declared here, below the retry layer, so that the limiter does
 * not import upward.
 *
 * @example
 * ```ts
 * const budget: SharedRetryBudget = new RetryBudget(500);
 * budget.sync(480); // the store's count, after other processes spent some
 * ```
 */
export interface SharedRetryBudget {
  readonly capacity: number;
  /** Tokens spent (negative) and earned since the last sync, now counted as sent. */
  takeUnsynced(): number;
  /** Adopts the shared count of tokens. */
  sync(tokens: number): void;
}

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
   * The longest server-requested pause honoured, ms (the retry policy's `maxRetryAfter`). A 429
   * asking for longer fails its request at once; the rest of the client then pauses only
   * `defaultCooldown`, not the hour the server asked for.
   */
  readonly maxPause: number;
  readonly scheduler: SchedulerLike;
  /** Where the token bucket and the pause live; a bucket in this process's memory when absent. */
  readonly store?: LimiterStore | undefined;
  /** The bucket's name in the store: the organization and a hash of the credential. */
  readonly scope?: string | undefined;
  /** The client's retry budget: shared through `store` when one is given. */
  readonly retryBudget?: SharedRetryBudget | undefined;
}

export type { LimiterMode };

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
  readonly start: (seq: number) => void;
  readonly fail: (error: Error) => void;
}

/**
 * The one limiter of a client, shared by all its streams. Before each request it waits for:
 * a free slot (at most `maxConcurrency` in flight; one during the slow start), the end of any
 * client-wide pause, and a token of the pace. Waiting requests take turns by key (checkpoint),
 * and one that is unsubscribed leaves the queue at once.
 *
 * It learns from every response, through its {@link Pacer}: `x-ratelimit-limit-requests` sets the
 * pace, `x-ratelimit-remaining-requests` caps the tokens and, at 0, pauses everything until
 * `x-ratelimit-reset-requests`; a 429 pauses everything for its `retry-after`. Without rate
 * headers it falls back to CUBIC (`CubicRate`). It reads those headers only as the transport
 * read them (`rateLimit` on the response or error), and time only from its scheduler: every
 * wait is timed there, so virtual-time tests cover all of it.
 *
 * The bucket, the pause and the learned rate live in a {@link LimiterStore}: in memory by
 * default, answered synchronously; in Redis to share one budget across processes, one store
 * call (one round trip) per request, what responses taught riding along with the next take.
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
  readonly #store: LimiterStore;
  readonly #scope: string;
  /** The half that reads responses: pace, CUBIC, pauses. This class is the queue and slots. */
  readonly #pacer: Pacer;
  /** The retry budget to share, when the store is not this limiter's own. */
  readonly #sharedBudget: SharedRetryBudget | undefined;
  /** What responses taught that the store has not been told yet, oldest first. */
  #observations: Observation[] = [];
  /** A store call is in flight: one at a time, so its answers apply in order. */
  #calling = false;
  /** The store has answered with a promise: learning waits for the next take (or a microtask). */
  #async = false;
  #flushQueued = false;
  /**
   * A token taken but not used yet: reserved ahead (usable from `#heldAt`), or taken for a request
   * that left while the store answered. The next request to start uses it.
   */
  #held: number | undefined;
  #heldAt = 0;
  #ratePerSecond: number | undefined;
  #active = 0;
  #sent = 0;
  #waitedMs = 0;
  #pausedUntil = 0;
  /** When a request arriving alone could start, by the store's last answer: pause and pace. */
  #readyAt = 0;
  #wake: { at: number; subscription: Subscription } | undefined;
  /** `readyInMs` calls waiting for a shared store to hear what responses taught. */
  #settleWaiters: Array<() => void> = [];
  #pumping = false;
  #disposed: Error | undefined;

  constructor(options: LimiterOptions) {
    this.#options = options;
    this.#store = options.store ?? new MemoryStore();
    this.#sharedBudget = options.store ? options.retryBudget : undefined;
    this.#scope = options.scope ?? '';
    this.#pacer = new Pacer(options);
    const perMinute = options.requestsPerMinute;
    this.#ratePerSecond = perMinute === undefined ? undefined : perMinute / 60;
  }

  /**
   * Runs `task` (one HTTP attempt) when the limiter allows, and learns from its outcome. Cold:
   * queues on subscribe; unsubscribing dequeues it, or aborts it if already running.
   */
  run<T extends { readonly rateLimit: RateLimitSignal; readonly status: number }>(
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
      const ticket: Ticket = {
        key,
        queuedAt: this.#now(),
        start: (seq) => {
          started = true;
          this.#sent++;
          this.#active++;
          this.#waitedMs += this.#now() - ticket.queuedAt;
          inner = task.subscribe({
            next: (response) => {
              this.#learn(response.rateLimit, response.status, seq);
              subscriber.next(response);
            },
            error: (error: unknown) => {
              if (error instanceof APIError && error.status !== undefined)
                this.#learn(error.rateLimit, error.status, seq);
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
          // Nobody left waiting: a pending wake-up would only hold the process open, and what
          // responses taught will ride with no take.
          if (this.#queue.size === 0) {
            this.#cancelWake();
            if (this.#observations.length > 0) this.#pump();
          }
        }
      };
    });
  }

  /**
   * Ends the limiter with its client: its timer is cancelled, every request still waiting fails
   * with `error` instead of starting on a closed connection pool, and its store is closed.
   */
  dispose(error: Error): Promise<void> {
    this.#disposed = error;
    this.#cancelWake();
    for (let ticket = this.#queue.shift(); ticket; ticket = this.#queue.shift()) ticket.fail(error);
    this.#releaseWaiters();
    return this.#store.close?.().catch(() => undefined) ?? Promise.resolve();
  }

  state(): LimiterState {
    const now = this.#now();
    return {
      mode: this.#pacer.mode,
      active: this.#active,
      queued: this.#queue.size,
      ratePerSecond: this.#ratePerSecond,
      pausedForMs: Math.max(0, this.#pausedUntil - now, this.#pacer.pausedForMs(now)),
      requests: this.#sent,
      rateLimited: this.#pacer.rateLimited,
      waitedMs: this.#waitedMs,
    };
  }

  /**
   * Ms until a request arriving now, with none waiting ahead of it, could start: the end of any
   * pause (a 429's cooldown, a spent budget) and the pace's next token. A retry waits at least
   * this long (`RetryContext.limiterWaitMs`), since the limiter would hold it until then anyway.
   *
   * A store that answers synchronously (memory) has already heard every response: the number
   * comes at once. A shared store (Redis) hears them a round trip later, and until then knows
   * neither the pause nor the slower pace they bring: the answer is then a promise, settled once
   * the store has answered with all of them, so that the retry's wait and its event say what
   * will happen rather than what the store thought before.
   */
  readyInMs(): number | Promise<number> {
    if (!this.#async || this.#disposed || this.#settledAll()) return this.#readyInMsNow();
    return new Promise<number>((resolve) => {
      this.#settleWaiters.push(() => resolve(this.#readyInMsNow()));
      this.#settle();
    });
  }

  #readyInMsNow(): number {
    const now = this.#now();
    const ready = Math.max(this.#readyAt - now, this.#pacer.pausedForMs(now), 0);
    return Number.isFinite(ready) ? ready : 0;
  }

  /** The store has heard every response so far, and no call to it is on its way. */
  #settledAll(): boolean {
    return !this.#calling && this.#observations.length === 0;
  }

  /**
   * Brings waiting `readyInMs` calls their answer: at once if the store has heard everything,
   * else after a call that tells it (sent now, even if no request can take a token).
   */
  #settle(): void {
    if (this.#settleWaiters.length === 0 || this.#calling) return;
    if (this.#observations.length > 0 && !this.#disposed) {
      this.#pump(true);
      if (this.#calling) return;
    }
    this.#releaseWaiters();
  }

  #now(): number {
    return this.#options.scheduler.now();
  }

  #canStart(): boolean {
    const slots = this.#pacer.mode === 'slow-start' ? 1 : this.#options.maxConcurrency;
    return this.#queue.size > 0 && this.#active < slots;
  }

  /**
   * Starts every waiting request the limits allow now, or sets a timer for when they will.
   * `flush`: tell an asynchronous store what was learned even if nothing can start.
   */
  #pump(flush = false): void {
    if (this.#pumping || this.#calling || this.#disposed) return;
    this.#pumping = true;
    try {
      for (;;) {
        // An asynchronous store is asked again only when its wait is over, not on every response.
        let take = this.#canStart() && !(this.#async && this.#wake);
        if (take && this.#held !== undefined) {
          const now = this.#now();
          const due = Math.max(this.#heldAt, this.#pausedUntil) - now;
          if (due <= 0) {
            const seq = this.#held;
            this.#held = undefined;
            this.#startNext(seq);
            continue;
          }
          this.#wakeIn(due, now);
          take = false;
        }
        if (!take && this.#observations.length === 0) break;
        // What a response taught rides with the next take: one round trip per request. It goes
        // alone only when it pauses everyone (the other processes must hear at once) or when no
        // take is coming; even then a microtask later, as the response frees its slot just after.
        if (!take && this.#async && !flush) {
          if (this.#queue.size === 0 || this.#observations.some(pausesEveryone)) this.#flushSoon();
          break;
        }
        const call = {
          observations: this.#observations,
          take,
          // Over a network, a token reserved ahead saves asking again and again for one.
          reserve: this.#async,
          fixedRatePerMs: this.#pacer.fixedRatePerMs,
          retryBudget: this.#sharedBudget && {
            capacity: this.#sharedBudget.capacity,
            change: this.#sharedBudget.takeUnsynced(),
          },
        };
        this.#observations = [];
        flush = false;
        const now = this.#now();
        const answer = this.#store.decide(this.#scope, call, now);
        if (isPending(answer)) {
          this.#async = true;
          this.#calling = true;
          answer.then(
            (decision) => this.#answered(decision, take),
            (error: unknown) => this.#storeFailed(error),
          );
          return;
        }
        if (!this.#apply(answer, take, now)) return;
        if (!take) break;
      }
      if (this.#queue.size === 0) this.#cancelWake();
    } finally {
      this.#pumping = false;
    }
  }

  /** Takes in a store's answer; false when requests must wait (a wake-up is then set). */
  #apply(decision: StoreDecision, take: boolean, now: number): boolean {
    if (decision.ratePerSecond !== this.#ratePerSecond && decision.ratePerSecond !== undefined)
      this.#pacer.publishRate(decision.ratePerSecond);
    this.#ratePerSecond = decision.ratePerSecond;
    this.#pausedUntil = now + decision.pausedForMs;
    // A store written before `tokenWaitMs` existed may leave it out: the pause alone, then.
    this.#readyAt = now + Math.max(decision.pausedForMs, decision.tokenWaitMs ?? 0);
    if (decision.retryTokens !== undefined) this.#sharedBudget?.sync(decision.retryTokens);
    if (!take) return true;
    if (decision.seq === undefined || decision.waitMs > 0) {
      if (decision.seq !== undefined) {
        this.#held = decision.seq;
        this.#heldAt = now + decision.waitMs;
      }
      this.#wakeIn(decision.waitMs, now);
      return false;
    }
    // A store answering later may find the request it took for gone, or its slot taken.
    if (this.#canStart()) this.#startNext(decision.seq);
    else [this.#held, this.#heldAt] = [decision.seq, now];
    return true;
  }

  #startNext(seq: number): void {
    (this.#queue.shift() as Ticket).start(seq);
  }

  #answered(decision: StoreDecision, take: boolean): void {
    this.#calling = false;
    if (this.#disposed) return;
    this.#apply(decision, take, this.#now());
    this.#pump();
    this.#settle();
  }

  /** Answers every waiting `readyInMs` with what is known now. */
  #releaseWaiters(): void {
    const waiters = this.#settleWaiters;
    this.#settleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** A store broke its promise never to reject: fail what waits rather than hang. */
  #storeFailed(error: unknown): void {
    this.#calling = false;
    const failure = error instanceof Error ? error : new Error(String(error));
    for (let ticket = this.#queue.shift(); ticket; ticket = this.#queue.shift())
      ticket.fail(failure);
    this.#releaseWaiters();
  }

  #flushSoon(): void {
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    queueMicrotask(() => {
      this.#flushQueued = false;
      this.#pump(true);
    });
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
      subscription: this.#options.scheduler.schedule(() => {
        this.#wake = undefined;
        this.#pump();
      }, timerDelay(ms)),
    };
  }

  /** Hands what one response (or error response) to the `seq`-th request taught to the store. */
  #learn(signal: RateLimitSignal, status: number, seq: number): void {
    const seen = this.#pacer.observe(signal, status, seq, this.#now());
    if (seen) this.#observations.push(seen);
    this.#pump();
  }
}

/** A response that stops every process on the bucket: a 429, or the budget spent. */
function pausesEveryone(seen: Observation): boolean {
  return seen.pauseMs > 0 || seen.remaining === 0;
}

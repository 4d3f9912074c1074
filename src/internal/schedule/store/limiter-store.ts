import type { Observable } from 'rxjs';

/**
 * What one response taught the limiter, already reduced to decisions by the client that saw it
 * (which header meant what, how long a 429 asked to wait), so that a store only does arithmetic.
 *
 * @example
 * ```ts
 * // A 200 carrying x-ratelimit-limit-requests: 60, remaining: 59, for the 3rd request taken.
 * const seen: Observation = { seq: 3, pauseMs: 0, ratePerMs: 57 / 60_000, remaining: 59 };
 * ```
 */
export interface Observation {
  /** The store's sequence number of the request this answers (its {@link StoreDecision.seq}). */
  readonly seq: number;
  /** Pause every client on the bucket for this long, ms (a 429's cooldown); 0 for none. */
  readonly pauseMs: number;
  /** The pace learned from `x-ratelimit-limit-requests`, requests per ms. */
  readonly ratePerMs?: number | undefined;
  /** `x-ratelimit-remaining-requests`: the bucket holds no more than this, less later requests. */
  readonly remaining?: number | undefined;
  /** `x-ratelimit-reset-requests`, ms: with `remaining: 0`, pause until then. */
  readonly resetMs?: number | undefined;
  /** No rate headers: feed this response to the shared CUBIC rate (`throttled` if a 429). */
  readonly cubic?: { readonly throttled: boolean } | undefined;
}

/**
 * One call to a store: apply what responses taught, in order, then (if `take`) try to take a
 * token. One call, so that a shared store makes one round trip per request.
 *
 * @example
 * ```ts
 * const call: StoreCall = { observations: [], take: true, reserve: false, fixedRatePerMs: undefined };
 * ```
 */
export interface StoreCall {
  readonly observations: readonly Observation[];
  readonly take: boolean;
  /**
   * When no token is free yet (and no pause is on), take the next one anyway and say when it is
   * due, rather than "ask again in n ms": one round trip per request however many processes
   * contend, where asking again would let them race for each token.
   */
  readonly reserve: boolean;
  /** `requestsPerMinute` as requests per ms: the bucket's pace before anything is learned, and a cap. */
  readonly fixedRatePerMs: number | undefined;
  /**
   * The client's retry budget, to share: its capacity, and the tokens spent (negative) and earned
   * since the last call. The answer's `retryTokens` is the shared balance after the change.
   */
  readonly retryBudget?: { readonly capacity: number; readonly change: number } | undefined;
}

/**
 * A store's answer. With a `seq`, a token was taken, to be used in `waitMs` (0: now; more only when
 * the call reserved one). Without, none was: ask again in `waitMs`.
 *
 * @example
 * ```ts
 * const decision: StoreDecision = { waitMs: 0, seq: 42, ratePerSecond: 9.5, pausedForMs: 0, tokenWaitMs: 0 };
 * ```
 */
export interface StoreDecision {
  readonly waitMs: number;
  /** Requests taken from this bucket so far, this one included (set when a token was taken). */
  readonly seq?: number | undefined;
  /** The pace in force, requests per second; `undefined` while unpaced. For metrics. */
  readonly ratePerSecond: number | undefined;
  /** Ms until the shared pause ends; 0 when not paused. For metrics, and a retry's wait. */
  readonly pausedForMs: number;
  /**
   * Ms until the pace has a token free, after this call (0 when one is, or when unpaced): with
   * `pausedForMs`, when a request arriving alone could start. A retry waits that long. Optional
   * for stores written before it existed: the limiter then counts the pause alone.
   */
  readonly tokenWaitMs?: number | undefined;
  /** The shared retry budget's balance, when the call carried `retryBudget`. */
  readonly retryTokens?: number | undefined;
}

/**
 * Where the limiter keeps the state that several limiters may share: the token bucket (pace,
 * tokens, last refill), the client-wide pause after a 429 or `remaining: 0`, the rate learned
 * from `x-ratelimit-*` headers or from CUBIC, the count of requests taken, and the retry budget. The fair queue and
 * the concurrency slots stay in each limiter: across processes, the bucket is the only coupling.
 *
 * `decide` returns a value when it can answer at once (the in-memory store, so the default path
 * costs no promise) and a promise when it must ask elsewhere (Redis). It never rejects: a store
 * that cannot reach its backend answers from a fallback or asks the limiter to wait.
 *
 * @example
 * ```ts
 * const store: LimiterStore = redisStore({ url: 'redis://127.0.0.1:6379' });
 * const call = { observations: [], take: true, reserve: false, fixedRatePerMs: undefined };
 * const decision = await store.decide('acme:3f2a…', call, 0);
 * if (decision.seq !== undefined && decision.waitMs === 0) send();
 * ```
 */
export interface LimiterStore {
  /**
   * Applies `call` to the bucket named `scope` (the organization and a hash of the credential),
   * with `now` the limiter's clock in ms (a shared store uses its own clock instead).
   */
  decide(scope: string, call: StoreCall, now: number): StoreDecision | Promise<StoreDecision>;
  /**
   * What the store wants its users to know (its backend gone, or back): each client that uses
   * the store publishes these on its `events$`. Completes when the store closes.
   */
  readonly warnings$?: Observable<LimiterStoreWarning>;
  /** Releases what the store owns (its connection). Called when the client closes. */
  close?(): Promise<void>;
}

/**
 * Something a limiter store wants you to know: its backend (Redis) stopped answering
 * (`unavailable`: this process now paces on its own, or waits, per `onUnavailable`) or answers
 * again (`restored`).
 *
 * @example
 * ```ts
 * redisStore({ url, onWarning: (w: LimiterStoreWarning) => console.warn(`[${w.type}] ${w.message}`) });
 * ```
 */
export interface LimiterStoreWarning {
  readonly type: 'unavailable' | 'restored';
  readonly message: string;
  /** Why Redis was deemed unavailable. */
  readonly cause?: Error | undefined;
}

/** True for a store's answer that is not ready yet. */
export function isPending(
  decision: StoreDecision | Promise<StoreDecision>,
): decision is Promise<StoreDecision> {
  return typeof (decision as Promise<StoreDecision>).then === 'function';
}

import type { Observable } from 'rxjs';
import type { RequestAuth, RequestSpec } from '../internal/http/send-request.js';
import type { RetryEvent } from '../internal/retry/plan-retry.js';
import type { LimiterState } from '../internal/schedule/limiter.js';
import type { LimiterStoreWarning } from '../internal/schedule/store/limiter-store.js';

/**
 * Per-request knobs.
 *
 * @example
 * ```ts
 * const page = await client.request(spec, {
 *   checkpoint: 'ft:gpt-4o-mini-2024-07-18:acme:weather:B7R9VjQd',
 *   signal: AbortSignal.timeout(30_000), // APIUserAbortError after 30 s, backoffs included
 * });
 * ```
 */
export interface RequestOptions {
  /** Aborts the request, including a pending backoff, with `APIUserAbortError`. */
  signal?: AbortSignal | undefined;
  /** The checkpoint the request is for: its fairness key in the limiter, and named in events. */
  checkpoint?: string | undefined;
}

/**
 * Counters since the client was created, for summaries and progress bars.
 *
 * @example
 * ```ts
 * const { requests, retries, rateLimited, waitedMs } = client.metrics();
 * console.info(`${requests} requests, ${retries} retries, ${rateLimited} × 429`);
 * console.info(`${waitedMs} ms spent queued or backing off`);
 * ```
 */
export interface ClientMetrics {
  /** HTTP requests sent, retries included. */
  readonly requests: number;
  readonly retries: number;
  /** 429 responses. */
  readonly rateLimited: number;
  /** Ms requests spent waiting: queued in the limiter plus backoff sleeps, summed over requests. */
  readonly waitedMs: number;
  /** Tokens left in the retry budget; `undefined` when it is disabled. */
  readonly retryBudget: number | undefined;
  readonly limiter: LimiterState;
}

/**
 * Something the client did that you may want to log or count: a retry, or a warning of its
 * limiter store. Tell them apart by `type`.
 *
 * @example
 * ```ts
 * client.events$.subscribe((event: ClientEvent) => {
 *   if (event.type === 'retry')
 *     console.warn(`retry ${event.attempt} in ${event.delayMs} ms: ${event.reason}`);
 *   else console.warn(`rate limit store: ${event.warning.message}`);
 * });
 * ```
 */
export type ClientEvent = RetryEvent | LimiterStoreEvent;

/**
 * The client's limiter store (`rateLimit.store`, such as `redisStore`) lost its backend or has it
 * back: the same warning as the store's `onWarning` gets.
 *
 * @example
 * ```ts
 * const event: LimiterStoreEvent = {
 *   type: 'limiter-store',
 *   warning: { type: 'restored', message: 'Redis at redis://127.0.0.1:6379 answers again' },
 * };
 * ```
 */
export interface LimiterStoreEvent {
  readonly type: 'limiter-store';
  readonly warning: LimiterStoreWarning;
}

/**
 * A configured connection to the API: key, base URL, timeouts, retry policy, and the one
 * limiter that every stream made with it shares. Create one per job and pass it as
 * `{ client }`; close it when done.
 *
 * @example
 * ```ts
 * const client = createClient();
 * try {
 *   const pages = await lastValueFrom(permissions$(checkpoint, { client }).pipe(toArray()));
 *   console.log(`${pages.length} pages in ${client.metrics().requests} requests`);
 * } finally {
 *   await client.close(); // releases its keep-alive connections
 * }
 * ```
 */
export interface Client {
  /**
   * The API root requests go to, without a trailing slash, as it may be shown: a password in it
   * (`http://user:pass@host/v1`) appears as `http://***@host/v1`.
   */
  readonly baseURL: string;
  /**
   * Every retry, as it is decided (the same events as the `onRetry` option), and every warning
   * of the limiter store (the same as its `onWarning`). Completes on close.
   */
  readonly events$: Observable<ClientEvent>;
  /**
   * One API call as a cold Observable: limiter, attempt, retries. Emits the checked body.
   * The building block of every stream; use it for endpoints this library does not wrap.
   */
  request$<T>(spec: RequestSpec<T>, options?: RequestOptions): Observable<T>;
  /** The same call as a promise: `firstValueFrom(request$(spec, options))`, nothing else. */
  request<T>(spec: RequestSpec<T>, options?: RequestOptions): Promise<T>;
  metrics(): ClientMetrics;
  /**
   * Whether the client holds the key a request of this kind takes, without sending anything:
   * `'admin'`, `'project'` (the `apiKey`), or `{ project: 'proj_…' }` (its `projectKeys` entry).
   *
   * @example
   * ```ts
   * const unseen = projects.filter((p) => !client.hasCredential({ project: p.id }));
   * ```
   */
  hasCredential(auth: RequestAuth): boolean;
  /** Releases what the client owns (its keep-alive connections). Idempotent. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

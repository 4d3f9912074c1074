import { randomUUID } from 'node:crypto';
import {
  catchError,
  defer,
  firstValueFrom,
  Observable,
  Subject,
  throwError,
  type Subscription,
  timeout as rxTimeout,
} from 'rxjs';
import { Agent, type Dispatcher } from 'undici';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  ClientClosedError,
  NotFoundError,
  ProtocolError,
  withRequest,
  type RequestSummary,
} from '../errors.js';
import { abortOnSignal } from '../internal/http/abort-on-signal.js';
import { redactHeaders, redactURL, secretsOf } from '../internal/http/redact.js';
import { traceAttempt$ } from '../internal/http/trace-channels.js';
import { dispatchTarget, pathAndQuery } from '../internal/http/url.js';
import {
  sendRequest$,
  type HttpResponse,
  type RequestAuth,
  type RequestSpec,
  type Transport,
} from '../internal/http/send-request.js';
import type { RetryContext } from '../internal/retry/plan-retry.js';
import { retryBackoff } from '../internal/retry/retry-backoff.js';
import { RetryBudget } from '../internal/retry/retry-budget.js';
import { Limiter } from '../internal/schedule/limiter.js';
import { timerDelay } from '../internal/timer-delay.js';
import type { Client, ClientEvent, ClientMetrics, RequestOptions } from './client.js';
import type { ClientOptions } from './client-options.js';
import { Credentials } from './credentials.js';
import { resolveOptions, type ResolvedOptions } from './resolve-options.js';

export type {
  Client,
  ClientEvent,
  ClientMetrics,
  LimiterStoreEvent,
  RequestOptions,
} from './client.js';

/**
 * Creates a client. Options are checked here, once: a bad value throws a `ConfigError` naming
 * the option and what it accepts. A missing key is not an error until a request needs it (then a
 * `ConfigError` naming the option and its environment variable, before anything is sent), so
 * that a client can be built before the environment is complete.
 *
 * Each request gets the kind of key its endpoint takes: the admin key (`adminAPIKey`,
 * `OPENAI_ADMIN_KEY`) for permissions and `/organization/*`; a project key for the fine-tuning
 * jobs (`apiKey`, `OPENAI_API_KEY`, or the project's entry in `projectKeys`).
 *
 * @example
 * ```ts
 * const client = createClient({
 *   adminAPIKey: process.env.OPENAI_ADMIN_KEY,
 *   projectKeys: { proj_platform: process.env.PLATFORM_KEY! },
 *   rateLimit: { maxConcurrency: 16 },
 * });
 * try {
 *   const checkpoint = 'ft:gpt-4o-mini-2024-07-18:acme:weather:B7R9VjQd';
 *   console.log(await lastValueFrom(permissionItems$(checkpoint, { client }).pipe(toArray())));
 * } finally {
 *   await client.close(); // releases its keep-alive connections
 * }
 * ```
 */
export function createClient(options: ClientOptions = {}): Client {
  return createClientIn(options, process.env);
}

/**
 * {@link createClient} with an explicit environment instead of `process.env`: for the CLI,
 * whose `main` runs inside tests with an environment of their own.
 *
 * @internal
 */
export function createClientIn(
  options: ClientOptions,
  env: Readonly<Record<string, string | undefined>>,
): Client {
  return new DefaultClient(resolveOptions(options, env));
}

class DefaultClient implements Client {
  readonly baseURL: string;
  readonly events$: Observable<ClientEvent>;
  readonly #options: ResolvedOptions;
  readonly #transport: Transport;
  readonly #limiter: Limiter;
  readonly #budget: RetryBudget | undefined;
  readonly #events = new Subject<ClientEvent>();
  readonly #ownedDispatcher: Dispatcher | undefined;
  readonly #credentials: Credentials;
  readonly #storeWarnings: Subscription | undefined;
  #retries = 0;
  #backoffMs = 0;
  #closed = false;

  constructor(options: ResolvedOptions) {
    this.#options = options;
    // Shown in errors, events and reports: a password in the URL must not be.
    this.baseURL = redactURL(options.baseURL);
    this.events$ = this.#events.asObservable();
    this.#ownedDispatcher = options.dispatcher
      ? undefined
      : new Agent({ keepAliveTimeout: 10_000 });
    const credentials = new Credentials(options.adminAPIKey, options.apiKey, options.projectKeys);
    let scrubbed: { keys?: readonly string[]; secrets: readonly string[] } = { secrets: [] };
    this.#credentials = credentials;
    this.#transport = {
      baseURL: this.baseURL,
      ...dispatchTarget(options.baseURL),
      dispatcher: options.dispatcher ?? (this.#ownedDispatcher as Dispatcher),
      headers: options.headers,
      scheduler: options.scheduler,
      maxResponseBytes: options.maxResponseBytes,
      authorization: (auth, what) => credentials.authorization(auth, what),
      secrets: () => {
        // Asked on every response: worked out again only when the keys held have changed.
        const keys = credentials.secrets();
        if (keys !== scrubbed.keys) {
          scrubbed = {
            keys,
            secrets: secretsOf({ keys, baseURL: options.baseURL, headers: options.headers }),
          };
        }
        return scrubbed.secrets;
      },
    };
    this.#budget = options.retryBudget === false ? undefined : new RetryBudget(options.retryBudget);
    this.#limiter = new Limiter({
      ...options.limiter,
      scheduler: options.scheduler,
      retryBudget: this.#budget,
    });
    this.#storeWarnings = options.limiter.store?.warnings$?.subscribe((warning) =>
      this.#events.next({ type: 'limiter-store', warning }),
    );
  }

  /**
   * The only path a request takes, whatever entry point it came in by: the transport, then a
   * turn in the limiter, then the attempt, then the retry policy (see {@link Client.request$}).
   */
  request$<T>(spec: RequestSpec<T>, options: RequestOptions = {}): Observable<T> {
    const request$ = new Observable<T>((subscriber) =>
      this.#attempts(spec, options)
        .pipe(retryBackoff(this.#retryContext(options)))
        .subscribe({
          next: (response) => subscriber.next(response.data),
          error: (error: unknown) => subscriber.error(error),
          complete: () => subscriber.complete(),
        }),
    );
    return request$.pipe(
      abortOnSignal(options.signal),
      catchError((error: unknown) => throwError(() => this.#withRequest(error, spec))),
    );
  }

  /**
   * {@link request$} as a promise, not a second driver: the same turn, attempt and retries (a
   * measurement found `firstValueFrom` over the stream as fast as driving the attempt with
   * p-retry; docs/performance.md).
   */
  request<T>(spec: RequestSpec<T>, options: RequestOptions = {}): Promise<T> {
    return firstValueFrom(this.request$(spec, options));
  }

  hasCredential(auth: RequestAuth): boolean {
    return this.#credentials.has(auth);
  }

  metrics(): ClientMetrics {
    const limiter = this.#limiter.state();
    return {
      requests: limiter.requests,
      retries: this.#retries,
      rateLimited: limiter.rateLimited,
      waitedMs: limiter.waitedMs + this.#backoffMs,
      retryBudget: this.#budget?.tokens,
      limiter,
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // Requests still waiting for a turn fail now, rather than start on a closed pool.
    const storeClosed = this.#limiter.dispose(new ClientClosedError());
    this.#storeWarnings?.unsubscribe();
    this.#events.complete();
    await Promise.all([this.#ownedDispatcher?.close(), storeClosed]);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * One logical request; each subscription is one attempt: a turn in the limiter, then the HTTP
   * request. What the attempts share lives here: the total deadline, which also bounds the wait
   * for a turn; the idempotency key of a write; and whether an earlier attempt's answer was lost
   * after the server may have acted on it.
   */
  #attempts<T>(spec: RequestSpec<T>, options: RequestOptions): Observable<HttpResponse<T>> {
    const { scheduler, timeout, retry } = this.#options;
    const deadlineAt = scheduler.now() + retry.deadline;
    const missed = (): APIConnectionTimeoutError =>
      new APIConnectionTimeoutError(`The request's total deadline of ${retry.deadline} ms passed`, {
        request: this.#summary(spec),
      });
    // A write sent twice must be recognisable as one: the conventional `Idempotency-Key`, which a
    // server that supports it uses to apply the write once.
    const idempotencyKey = spec.method === 'GET' ? undefined : `rxcp-${randomUUID()}`;
    let answerLost = false;
    const send$ = new Observable<HttpResponse<T>>((subscriber) => {
      const left = deadlineAt - scheduler.now();
      if (left <= 0) return subscriber.error(missed());
      const attempt = { timeout: Math.min(timeout, left), signal: options.signal, idempotencyKey };
      const response$ = sendRequest$(this.#transport, spec, attempt);
      // Only a write that a retry can find already done needs to watch its attempts' failures.
      if (!spec.alreadyDone) return response$.subscribe(subscriber);
      return response$.subscribe({
        next: (response) => subscriber.next(response),
        error: (error: unknown) => {
          // A 404 after an attempt whose answer was lost: that attempt did the work (a revocation).
          if (answerLost && spec.alreadyDone && error instanceof NotFoundError) {
            let data: T;
            try {
              data = spec.alreadyDone();
            } catch (thrown) {
              return subscriber.error(thrown);
            }
            subscriber.next({
              status: 200,
              headers: error.headers,
              requestID: error.requestID,
              rateLimit: error.rateLimit,
              data,
            });
            return subscriber.complete();
          }
          answerLost ||= mayHaveActed(error);
          subscriber.error(error);
        },
        complete: () => subscriber.complete(),
      });
    });
    const key = options.checkpoint ?? '';
    let attempts = 0;
    const turn$ = new Observable<HttpResponse<T>>((subscriber) => {
      if (this.#closed) return subscriber.error(new ClientClosedError());
      // A missing key fails here, before the request takes a turn in the limiter or is counted.
      try {
        this.#credentials.authorization(spec.auth ?? 'admin', `${spec.method} ${spec.path}`);
      } catch (error) {
        return subscriber.error(error);
      }
      // Published on the request channel only when it has a subscriber; otherwise `send$` itself.
      const task$ = traceAttempt$(
        send$,
        scheduler,
        spec,
        this.baseURL,
        options.checkpoint,
        ++attempts,
      );
      return this.#limiter.run(key, task$).subscribe(subscriber);
    });
    if (!Number.isFinite(retry.deadline)) return turn$;
    // The deadline bounds the wait for a turn too, not only the time on the wire.
    return defer(() =>
      turn$.pipe(
        rxTimeout({
          first: timerDelay(deadlineAt - scheduler.now()),
          with: () => throwError(missed),
          scheduler,
        }),
      ),
    );
  }

  /** The request of `spec` as an error shows it, for failures outside any one attempt. */
  #summary(spec: RequestSpec<unknown>): RequestSummary {
    return {
      method: spec.method,
      url: `${this.#transport.baseURL}${pathAndQuery(spec.path, spec.query)}`,
      headers: redactHeaders(this.#transport.headers),
    };
  }

  /**
   * An abort met while the request waited for its turn or for a retry names the request too,
   * as one met mid-attempt does.
   */
  #withRequest(error: unknown, spec: RequestSpec<unknown>): unknown {
    return error instanceof APIUserAbortError ? withRequest(error, this.#summary(spec)) : error;
  }

  #retryContext(options: RequestOptions): RetryContext {
    return {
      policy: this.#options.retry,
      scheduler: this.#options.scheduler,
      random: this.#options.random,
      budget: this.#budget,
      checkpoint: options.checkpoint,
      // The limiter decides when: a retry waits out its pause, and its event says so.
      limiterWaitMs: () => this.#limiter.readyInMs(),
      onRetry: (event) => {
        this.#retries++;
        this.#backoffMs += event.delayMs;
        this.#options.onRetry?.(event);
        this.#events.next(event);
      },
    };
  }
}

/** Failures after which the server may have done the work although its answer never arrived. */
function mayHaveActed(error: unknown): boolean {
  return (
    error instanceof APIConnectionError ||
    (error instanceof ProtocolError && error.truncated) ||
    (error instanceof APIError && (error.status ?? 0) >= 500)
  );
}

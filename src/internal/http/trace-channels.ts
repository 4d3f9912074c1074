/**
 * Tracing from the one engine: every HTTP attempt and every change of pace is published on
 * `node:diagnostics_channel`, as undici, ioredis and pg publish theirs, so that an APM agent or
 * an OpenTelemetry bridge (docs/recipes/opentelemetry.md) can follow them without this library
 * depending on either. With no subscriber the cost is one `hasSubscribers` check: no context
 * object is built and nothing is published.
 *
 * Nothing published carries a secret: no headers, the URL with its userinfo hidden (`redactURL`),
 * and errors that are redacted when they are made (errors.ts).
 *
 * @module
 */
import { channel, tracingChannel } from 'node:diagnostics_channel';
import { Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { APIError, APIUserAbortError, ProtocolError } from '../../errors.js';
import { redactURL } from './redact.js';
import type { RequestSpec } from './send-request.js';
import { encodePathSegment, pathAndQuery } from './url.js';

/**
 * The name of the `TracingChannel` of HTTP attempts: `start`, `end`, `asyncStart`, `asyncEnd`
 * and `error` for each attempt, with a {@link RequestTraceContext}.
 *
 * @example
 * ```ts
 * import { tracingChannel } from 'node:diagnostics_channel';
 * tracingChannel<unknown, RequestTraceContext>(REQUEST_CHANNEL).subscribe({
 *   start: (ctx) => console.log(`${ctx.method} ${ctx.route} attempt ${ctx.attempt}`),
 *   end: () => {},
 *   asyncStart: (ctx) => console.log(`${ctx.status} ${ctx.requestID}`),
 *   asyncEnd: () => {},
 *   error: (ctx) => console.error(ctx.error),
 * });
 * ```
 */
export const REQUEST_CHANNEL = 'rx-checkpoint-permissions:request';

/**
 * The name of the plain channel on which the client's limiter publishes its pauses and changes
 * of pace, as {@link LimiterTraceEvent}s.
 *
 * @example
 * ```ts
 * import { subscribe } from 'node:diagnostics_channel';
 * subscribe(LIMITER_CHANNEL, (message) => {
 *   const event = message as LimiterTraceEvent;
 *   if (event.type === 'pause') console.warn(`paused ${event.ms} ms (${event.reason})`);
 * });
 * ```
 */
export const LIMITER_CHANNEL = 'rx-checkpoint-permissions:limiter';

/**
 * What each event of {@link REQUEST_CHANNEL} carries: one object per attempt, the same object
 * from `start` to `asyncEnd`, so a subscriber may keep its own state (a span) in a `WeakMap`
 * keyed by it. `status`, `requestID` and `error` are filled in when the outcome is known.
 *
 * @example
 * ```ts
 * const onOutcome = (ctx: RequestTraceContext): string =>
 *   `${ctx.method} ${ctx.route} #${ctx.attempt}: ${ctx.status ?? 'no response'} after ` +
 *   `${ctx.limiterWaitMs} ms in the limiter`;
 * ```
 */
export interface RequestTraceContext {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /**
   * The path template, as the API reference names it:
   * `/fine_tuning/checkpoints/{fine_tuned_model_checkpoint}/permissions`. Low cardinality: fit
   * for a span name or a metric label.
   */
  readonly route: string;
  /** The full URL, query included, with any userinfo of the base URL shown as `***@`. */
  readonly url: string;
  /** The checkpoint the request is for (`RequestOptions.checkpoint`), when one was given. */
  readonly checkpoint: string | undefined;
  /** 1 for the first attempt of a request, 2 for its first retry, and so on. */
  readonly attempt: number;
  /** Ms the attempt waited for its turn in the limiter (a slot, a pause, a token). */
  readonly limiterWaitMs: number;
  /** The HTTP status, once a response (or an error response) arrived. */
  status?: number | undefined;
  /** The response's `x-request-id`, when it had one. */
  requestID?: string | undefined;
  /**
   * Why the attempt failed: the error the client raised for it (an `APIError`, a
   * `ProtocolError`, a `ConfigError`). An attempt abandoned before its outcome (its caller
   * aborted, its deadline passed, its consumer stopped reading) fails with `APIUserAbortError`.
   */
  error?: unknown;
}

/**
 * What {@link LIMITER_CHANNEL} carries: a pause of every request of a client (after a 429, or
 * when the server says the budget is spent), or a new pace.
 *
 * @example
 * ```ts
 * const describe = (event: LimiterTraceEvent): string =>
 *   event.type === 'pause'
 *     ? `pause ${event.ms} ms: ${event.reason}`
 *     : `pace ${event.ratePerSecond.toFixed(1)}/s (${event.mode})`;
 * ```
 */
export type LimiterTraceEvent =
  | {
      readonly type: 'pause';
      /** How long every request now waits, ms (at most the client's `maxRetryAfter`). */
      readonly ms: number;
      /** A 429, or `x-ratelimit-remaining-requests: 0` with a reset to wait for. */
      readonly reason: 'rate-limited' | 'budget-exhausted';
    }
  | {
      readonly type: 'rate';
      readonly ratePerSecond: number;
      /** Where the pace comes from: the server's rate headers, or CUBIC learning from 429s. */
      readonly mode: LimiterMode;
    };

/**
 * How the limiter currently decides its pace (here, below the limiter, as its trace events carry
 * it).
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

const requests = tracingChannel<unknown, RequestTraceContext>(REQUEST_CHANNEL);
const limiter = channel(LIMITER_CHANNEL);

/**
 * Publishes a pause of the limiter on {@link LIMITER_CHANNEL}; the event is built only when
 * someone listens.
 *
 * @example
 * ```ts
 * publishLimiterPause(2000, 'rate-limited'); // after a 429 with `retry-after: 2`
 * ```
 */
export function publishLimiterPause(ms: number, reason: 'rate-limited' | 'budget-exhausted'): void {
  if (limiter.hasSubscribers) limiter.publish({ type: 'pause', ms, reason } as LimiterTraceEvent);
}

/**
 * Publishes a new pace of the limiter on {@link LIMITER_CHANNEL}; the event is built only when
 * someone listens.
 *
 * @example
 * ```ts
 * publishLimiterRate(9.5, 'headers'); // x-ratelimit-limit-requests: 600, 95% of it
 * ```
 */
export function publishLimiterRate(ratePerSecond: number, mode: LimiterMode): void {
  if (limiter.hasSubscribers)
    limiter.publish({ type: 'rate', ratePerSecond, mode } as LimiterTraceEvent);
}

/** The outcome of an attempt, as far as tracing reads it. */
interface Answered {
  readonly status: number;
  readonly requestID: string | undefined;
}

/**
 * `attempt$` (one HTTP attempt, subscribed when the limiter gives it its turn) published on
 * {@link REQUEST_CHANNEL}. Called when the attempt is queued: the limiter wait is timed from
 * here to the subscription. With no subscriber it returns `attempt$` itself and builds nothing
 * (which is why it takes its description as arguments, not as an object).
 *
 * The events follow `TracingChannel.traceCallback`: `start` when the attempt is subscribed
 * (what the attempt does synchronously, such as dispatching the request, runs inside
 * `start.runStores`, so a store bound to `start` is active there), `end` when that returns;
 * then, with the outcome, `error` (a failure only), `asyncStart`, the delivery of the result
 * downstream, and `asyncEnd`. Every `start` is followed by exactly one `asyncEnd`.
 *
 * @example
 * ```ts
 * const task$ = traceAttempt$(send$, scheduler, spec, client.baseURL, checkpoint, 1);
 * limiter.run(checkpoint, task$).subscribe();
 * ```
 */
export function traceAttempt$<T extends Answered>(
  attempt$: Observable<T>,
  scheduler: SchedulerLike,
  spec: Pick<RequestSpec<unknown>, 'method' | 'path' | 'query'>,
  baseURL: string,
  checkpoint: string | undefined,
  attempt: number,
): Observable<T> {
  if (!requests.hasSubscribers) return attempt$;
  const queuedAt = scheduler.now();
  return new Observable<T>((subscriber) => {
    const { method, path, query } = spec;
    const context: RequestTraceContext = {
      method,
      route: routeOf(path, checkpoint),
      url: redactURL(`${baseURL}${pathAndQuery(path, query)}`),
      checkpoint,
      attempt,
      limiterWaitMs: scheduler.now() - queuedAt,
    };
    let settled = false;
    let inner: Subscription | undefined;
    const fail = (error: unknown): void => {
      settled = true;
      context.error = error;
      if (error instanceof APIError) context.status = error.status;
      if (error instanceof APIError || error instanceof ProtocolError)
        context.requestID = error.requestID;
      requests.error.publish(context);
      requests.asyncStart.publish(context);
    };
    requests.start.runStores(context, () => {
      inner = attempt$.subscribe({
        next: (response) => {
          settled = true;
          context.status = response.status;
          context.requestID = response.requestID;
          requests.asyncStart.publish(context);
          try {
            subscriber.next(response);
          } finally {
            // An attempt answers once: its result is delivered here, whether or not the
            // subscriber waits for `complete`.
            requests.asyncEnd.publish(context);
          }
        },
        error: (error: unknown) => {
          fail(error);
          try {
            subscriber.error(error);
          } finally {
            requests.asyncEnd.publish(context);
          }
        },
        complete: () => subscriber.complete(),
      });
    });
    requests.end.publish(context);
    return () => {
      inner?.unsubscribe();
      if (settled) return;
      fail(
        new APIUserAbortError(
          `The attempt was abandoned before its outcome (${method} ${context.url}): its caller ` +
            'aborted, its deadline passed, or its consumer stopped reading',
        ),
      );
      requests.asyncEnd.publish(context);
    };
  });
}

/**
 * The API's name for each collection's id segment: what follows `checkpoints/` is a
 * `{fine_tuned_model_checkpoint}`, and so on (the paths of the OpenAPI reference).
 */
const ID_AFTER: Readonly<Record<string, string>> = {
  checkpoints: '{fine_tuned_model_checkpoint}',
  permissions: '{permission_id}',
  jobs: '{fine_tuning_job_id}',
};

/**
 * The path template of an encoded path: each id segment (the one after `checkpoints`,
 * `permissions` or `jobs`), and the checkpoint wherever it appears, replaced by its parameter's
 * name.
 *
 * @example
 * ```ts
 * routeOf('/fine_tuning/checkpoints/ft:gpt-4o-mini:acme::abc/permissions', undefined);
 * // '/fine_tuning/checkpoints/{fine_tuned_model_checkpoint}/permissions'
 * ```
 */
export function routeOf(path: string, checkpoint: string | undefined): string {
  const encoded = checkpoint === undefined ? undefined : encodePathSegment(checkpoint);
  const segments = path.split('/');
  for (let i = 1; i < segments.length; i++) {
    const id = ID_AFTER[segments[i - 1] as string];
    if (segments[i] === encoded) segments[i] = '{fine_tuned_model_checkpoint}';
    else if (id !== undefined && segments[i] !== '') segments[i] = id;
  }
  return segments.join('/');
}

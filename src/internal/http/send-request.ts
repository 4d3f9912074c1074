import { Observable, type SchedulerLike } from 'rxjs';
import type { Dispatcher } from 'undici';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  CheckpointPermissionsError,
  ConfigError,
  ProtocolError,
  withRequest,
  type APIErrorBody,
  type RateLimitSignal,
  type RequestSummary,
} from '../../errors.js';
import {
  startExchange,
  type Exchange,
  type ExchangeListener,
  type ExchangeRequest,
  type RawResponse,
} from './exchange.js';
import type { Headers } from './headers.js';
import { baseURLHint } from './base-url-hint.js';
import { endsMidJSON } from './json-prefix.js';
import { redactHeaders, redactJSON, redactText } from './redact.js';
import { timerDelay } from '../timer-delay.js';
import { rateLimitSignalOf } from './rate-limit-headers.js';
import { pathAndQuery, type Query } from './url.js';

/** Everything a request needs from its client, resolved once by `createClient`. */
export interface Transport {
  /**
   * The base URL as configured, without a trailing slash and with any userinfo hidden
   * (`redactURL`): what error messages show.
   */
  readonly baseURL: string;
  /** The base URL split as undici's `dispatch` takes it (see `dispatchTarget`). */
  readonly origin: string;
  readonly basePath: string;
  readonly dispatcher: Dispatcher;
  /** Sent with every request: user agent, organization, project, the user's defaults. */
  readonly headers: Readonly<Record<string, string>>;
  /**
   * The `Authorization` value for a request of this kind; throws a `ConfigError` when its key is
   * not configured. `what` (method and path) is for that error's message.
   */
  readonly authorization: (auth: RequestAuth, what: string) => string;
  /** Times the per-attempt timeout, so tests can run it in virtual time. */
  readonly scheduler: SchedulerLike;
  /**
   * Every secret the client holds (`secretsOf`), read when needed (a `projectKeys` function adds
   * keys as it is asked): hidden from whatever a server sends back before an error keeps or shows
   * it, in case the server echoes them.
   */
  readonly secrets: () => readonly string[];
  /** The longest body read, bytes; a 2xx body past it is a `ProtocolError` (`maxResponseBytes`). */
  readonly maxResponseBytes: number;
}

/**
 * Which key a request takes. The real API has two kinds, and each refuses the other:
 * - `'admin'`: the admin key (`adminAPIKey`, `OPENAI_ADMIN_KEY`), for the checkpoint permission
 *   endpoints and `/organization/*`;
 * - `'project'`: the one project key (`apiKey`, `OPENAI_API_KEY`), for the fine-tuning jobs
 *   endpoints of its project;
 * - `{ project: 'proj_…' }`: that project's key from `projectKeys`, for the same endpoints.
 *
 * @example
 * ```ts
 * const auth: RequestAuth = { project: 'proj_platform' }; // projectKeys.proj_platform
 * await client.request({ method: 'GET', path: '/fine_tuning/jobs', auth, parse: (b) => b });
 * ```
 */
export type RequestAuth = 'admin' | 'project' | { readonly project: string };

/**
 * A description of one API call: what to send and how to check what comes back.
 *
 * @example
 * ```ts
 * const retrieveJob: RequestSpec<FineTuningJob> = {
 *   method: 'GET',
 *   path: `/fine_tuning/jobs/${encodeURIComponent(jobId)}`,
 *   auth: { project: 'proj_platform' }, // a jobs endpoint: that project's key
 *   parse: (body) => body as FineTuningJob, // check the fields you rely on here
 * };
 * const job = await client.request(retrieveJob);
 * ```
 */
export interface RequestSpec<T> {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /**
   * The key the endpoint takes (see {@link RequestAuth}).
   * @default 'admin'
   */
  readonly auth?: RequestAuth;
  /** Relative to the base URL, path segments already encoded with `encodePathSegment`. */
  readonly path: string;
  readonly query?: Query;
  /** Sent as JSON. */
  readonly body?: unknown;
  /** Checks the decoded 2xx body and types it; throws a `ProtocolError` naming the bad field. */
  readonly parse: (body: unknown, requestID: string | undefined) => T;
  /**
   * For a write that a retry can find already done (a DELETE): the answer to give when a
   * retry gets a 404 after an attempt whose answer was lost. Without it, that 404 is an error.
   */
  readonly alreadyDone?: () => T;
}

/** Per-attempt knobs. */
export interface AttemptOptions {
  /** Milliseconds before the attempt is abandoned with `APIConnectionTimeoutError`. */
  readonly timeout: number;
  /** Aborts the attempt with `APIUserAbortError`. */
  readonly signal?: AbortSignal | undefined;
  /** Sent as `Idempotency-Key`: the same on every attempt of one write. */
  readonly idempotencyKey?: string | undefined;
}

/** A successful response, checked and typed. */
export interface HttpResponse<T> {
  readonly status: number;
  readonly headers: Headers;
  readonly requestID: string | undefined;
  /** What the headers said about pacing, read once here (see `rateLimitSignalOf`). */
  readonly rateLimit: RateLimitSignal;
  readonly data: T;
}

/** Error bodies are read up to this size, then the rest is discarded. */
const MAX_ERROR_BODY = 64 * 1024;
/** How much of a non-JSON error body (an HTML 502 page) an error keeps. */
const KEPT_RAW_BODY = 1024;

/**
 * One HTTP request as a cold Observable: nothing is sent before subscription, the response is
 * emitted once and the stream completes. Unsubscribing aborts the request at once (the socket is
 * closed, not left to finish). The exchange itself is `startExchange`: undici's `dispatch`,
 * the body read to its end (or, for an error, to a cap) so that the connection is reused.
 *
 * Failures arrive as the error hierarchy of `errors.ts`: a non-2xx status as the `APIError`
 * subclass for it, a network failure as `APIConnectionError` (cause kept), the timeout as
 * `APIConnectionTimeoutError`, the signal as `APIUserAbortError`, a 2xx that breaks the schema as
 * `ProtocolError`.
 *
 * @example
 * ```ts
 * sendRequest$(transport, { method: 'GET', path: '/fine_tuning/jobs', parse: (b) => b }, { timeout: 10_000 })
 *   .subscribe((response) => console.log(response.status, response.requestID));
 * ```
 */
export function sendRequest$<T>(
  transport: Transport,
  spec: RequestSpec<T>,
  attempt: AttemptOptions,
): Observable<HttpResponse<T>> {
  return new Observable<HttpResponse<T>>((subscriber) => {
    const target = pathAndQuery(spec.path, spec.query);
    const url = `${transport.baseURL}${target}`;
    let headers: Record<string, string>;
    try {
      headers = {
        ...transport.headers,
        authorization: transport.authorization(spec.auth ?? 'admin', `${spec.method} ${spec.path}`),
      };
    } catch (error) {
      subscriber.error(error);
      return;
    }
    if (spec.body !== undefined) headers['content-type'] = 'application/json';
    if (attempt.idempotencyKey !== undefined) headers['idempotency-key'] = attempt.idempotencyKey;
    // Only errors keep the request, so it is summarised (and redacted) only for them.
    const summary = (): RequestSummary => ({
      method: spec.method,
      url,
      headers: redactHeaders(headers),
    });
    const userAbort = (cause?: unknown): APIUserAbortError =>
      new APIUserAbortError('Request aborted by the caller', {
        request: summary(),
        cause,
      });

    if (attempt.signal?.aborted) {
      subscriber.error(userAbort());
      return;
    }

    const safeHeaders = (received: Headers): Headers =>
      redactHeaders(received, transport.secrets());
    const listener: ExchangeListener = {
      response: (raw) => {
        let response: HttpResponse<T>;
        try {
          response = checkResponse(raw, spec, transport, summary);
        } catch (error) {
          subscriber.error(error);
          return;
        }
        subscriber.next(response);
        subscriber.complete();
      },
      overflow: (maxBody, responseHeaders) =>
        subscriber.error(
          new ProtocolError(
            `The response body is longer than maxResponseBytes (${maxBody} bytes); the connection ` +
              'was closed. If the server is right, raise maxResponseBytes in the client options',
            {
              field: 'body',
              requestID: safeHeaders(responseHeaders)['x-request-id'],
              request: summary(),
            },
          ),
        ),
      failure: (cause, responseHeaders) =>
        subscriber.error(
          classify(
            cause,
            summary(),
            transport.secrets(),
            responseHeaders && safeHeaders(responseHeaders),
          ),
        ),
    };
    const request: ExchangeRequest = {
      origin: transport.origin,
      path: `${transport.basePath}${target}`,
      method: spec.method,
      headers,
      body: spec.body === undefined ? null : JSON.stringify(spec.body),
    };
    let exchange: Exchange;
    try {
      exchange = startExchange(
        transport.dispatcher,
        request,
        { maxBody: transport.maxResponseBytes, maxErrorBody: MAX_ERROR_BODY },
        listener,
      );
    } catch (error) {
      // A dispatcher that refuses the request outright (an invalid option, a closed pool), or
      // that speaks only undici 6's handler API (`startExchange` throws a ConfigError for it).
      subscriber.error(
        error instanceof ConfigError
          ? error
          : classify(error as Error, summary(), transport.secrets()),
      );
      return;
    }

    // Timeout and abort end the stream at once; the teardown then closes the connection.
    const onUserAbort = (): void => subscriber.error(userAbort(attempt.signal?.reason));
    attempt.signal?.addEventListener('abort', onUserAbort, { once: true });
    const timer = transport.scheduler.schedule(() => {
      subscriber.error(
        new APIConnectionTimeoutError(`Request timed out after ${attempt.timeout} ms`, {
          request: summary(),
        }),
      );
    }, timerDelay(attempt.timeout));

    return () => {
      timer.unsubscribe();
      attempt.signal?.removeEventListener('abort', onUserAbort);
      // Closes the socket of a request still in flight; after its response, it does nothing.
      exchange.abort();
    };
  });
}

/**
 * Turns a response read to its end into the checked result, or the error it stands for. What the
 * server wrote goes into an error only with the client's secrets hidden (a server may echo the
 * `Authorization` header in a message, a body or a header).
 */
function checkResponse<T>(
  raw: RawResponse,
  spec: RequestSpec<T>,
  transport: Transport,
  summary: () => RequestSummary,
): HttpResponse<T> {
  const { status, headers, body: text } = raw;
  const secrets = transport.secrets();
  // The response boundary: the one place its pacing headers are read, against the wall clock of
  // its arrival (an HTTP-date `retry-after` is absolute).
  const rateLimit = rateLimitSignalOf(headers, Date.now());
  if (status < 200 || status >= 300) {
    const safeText = redactText(text, secrets);
    const error = redactJSON(errorBodyOf(safeText), secrets);
    throw APIError.fromResponse(status, {
      headers: redactHeaders(headers, secrets),
      rateLimit,
      error,
      rawBody: error ? undefined : safeText.slice(0, KEPT_RAW_BODY),
      request: summary(),
      hint: baseURLHint(status, error, transport.baseURL, transport.basePath),
    });
  }
  const rawRequestID = headers['x-request-id'];
  const requestID = rawRequestID === undefined ? undefined : redactText(rawRequestID, secrets);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    const truncated = endsMidJSON(text);
    const safeText = redactText(text, secrets);
    throw new ProtocolError(
      truncated
        ? `The response body ended in the middle of its JSON after ${text.length} characters`
        : `The response body is not JSON: ${JSON.stringify(safeText.slice(0, 80))}`,
      // V8's message quotes the text it choked on: it is hidden the same way.
      {
        field: 'body',
        truncated,
        requestID,
        request: summary(),
        cause: new SyntaxError(redactText(String((cause as Error).message), secrets)),
      },
    );
  }
  try {
    return { status, headers, requestID, rateLimit, data: spec.parse(json, requestID) };
  } catch (error) {
    // `parse` sees only the body: the request is added here, where it is known.
    throw error instanceof CheckpointPermissionsError ? withRequest(error, summary()) : error;
  }
}

/** The `error` object of an OpenAI error body (`{"error": {message, type, param, code}}`). */
function errorBodyOf(raw: string): APIErrorBody | undefined {
  try {
    const parsed: unknown = JSON.parse(raw);
    const inner = (parsed as { error?: unknown } | null)?.error;
    if (
      typeof inner === 'object' &&
      inner !== null &&
      typeof (inner as APIErrorBody).message === 'string'
    ) {
      return inner as APIErrorBody;
    }
  } catch {
    // Not JSON: the caller keeps the raw text instead.
  }
  return undefined;
}

const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/**
 * A failure of the exchange, as the error hierarchy names it: before any response (`headers`
 * undefined), or while a 2xx body was arriving (a body cut off). Told apart by undici's `code`,
 * never by the wording of its message.
 */
function classify(
  error: Error,
  request: RequestSummary,
  secrets: readonly string[],
  headers?: Headers,
): Error {
  const message = redactText(error.message, secrets);
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && TIMEOUT_CODES.has(code)) {
    // One of undici's own timeouts (connect, headers, body), not the attempt's `timeout`.
    return new APIConnectionTimeoutError(`Request timed out: ${message}`, {
      headers,
      request,
      cause: error,
    });
  }
  if (code === 'UND_ERR_INVALID_ARG') {
    return new ConfigError('request', `undici rejected the request: ${message}`);
  }
  if (headers !== undefined) {
    return new APIConnectionError('The connection closed before the response body was complete', {
      headers,
      request,
      cause: error,
    });
  }
  return new APIConnectionError(`Connection error: ${message}`, { request, cause: error });
}

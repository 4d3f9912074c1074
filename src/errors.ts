/**
 * The error hierarchy. Names and fields mirror the official `openai` SDK (`APIError`,
 * `RateLimitError`, `APIConnectionError`...) so that code written against it reads the same here;
 * `ProtocolError`, `ConfigError` and `ClientClosedError` are ours.
 *
 * A message says what happened, as openai-node's do (`404 No such checkpoint`); the request that
 * failed is a field (`request`), not text appended to the message. A message never ends in a
 * period, so that whoever shows it (the CLI) adds exactly one, or follows it with more.
 *
 * No error ever holds the API key: the only request headers an error keeps are passed through
 * `redactHeaders` (in `http/`) first; whatever a server sent (its message, body and headers) has
 * the client's secrets hidden before an error is built from it; URLs are shown without their
 * userinfo; and `toJSON` lists the public fields explicitly.
 *
 * @module
 */

/**
 * The inner object of an OpenAI error body: `{"error": {message, type, param, code}}`.
 *
 * @example
 * ```ts
 * if (e instanceof APIError && e.error) {
 *   const { message, type, param, code }: APIErrorBody = e.error;
 *   console.error(`${type ?? 'error'} ${code ?? ''}: ${message}${param ? ` (${param})` : ''}`);
 * }
 * ```
 */
export interface APIErrorBody {
  message: string;
  type?: string;
  param?: string | null;
  code?: string | null;
}

/**
 * What an error remembers of the request that caused it: the `url` is shown with any userinfo
 * hidden (`http://***@host/v1/…`), and secret headers (`Authorization`) are `[redacted]`.
 *
 * @example
 * ```ts
 * if (e instanceof CheckpointPermissionsError && e.request) {
 *   // Header names are lower-case, and `authorization` is '[redacted]'.
 *   console.error(`${e.request.method} ${e.request.url}`, e.request.headers);
 * }
 * ```
 */
export interface RequestSummary {
  method: string;
  /** The full URL, base URL and query included, userinfo hidden. */
  url: string;
  headers: Record<string, string>;
}

/**
 * What every error may know of the request that caused it, whatever its kind.
 *
 * @example
 * ```ts
 * const request = { method: 'GET', url, headers: {} };
 * const context: ErrorContext = { request, requestID: 'req_1' };
 * throw new ProtocolError('The page has no data', { field: 'data', ...context });
 * ```
 */
export interface ErrorContext {
  /** The request, redacted (see {@link RequestSummary}); `undefined` before any request. */
  request?: RequestSummary | undefined;
  /** The response's `x-request-id`, when a response arrived. */
  requestID?: string | undefined;
  cause?: unknown;
}

/**
 * The base class of every error this library raises, so one `instanceof` catches them all. The
 * fields that any kind may have (`request`, `requestID`) live here, so that code reading them
 * needs no guess at the kind.
 *
 * @example
 * ```ts
 * permissions$('ft:…').subscribe({
 *   error: (e) => e instanceof CheckpointPermissionsError && log(e.message, e.request?.url),
 * });
 * ```
 */
export class CheckpointPermissionsError extends Error {
  override name = 'CheckpointPermissionsError';
  /** The request that failed, `undefined` for an error raised before any (an option, say). */
  readonly request: RequestSummary | undefined;
  /** The `x-request-id` of the response: quote it to OpenAI support. */
  readonly requestID: string | undefined;

  constructor(message: string, context: ErrorContext = {}) {
    super(
      withoutFinalPeriod(message),
      context.cause === undefined ? undefined : { cause: context.cause },
    );
    this.request = context.request;
    this.requestID = context.requestID;
  }

  /** The enumerable fields that `JSON.stringify` shows; never a secret. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      requestID: this.requestID,
      request: this.request,
    };
  }
}

/**
 * The request budget a response announced (the `x-ratelimit-*-requests` headers). Each field is
 * absent when its header was.
 *
 * @example
 * ```ts
 * const budget: RateLimitBudget | undefined = error.rateLimit.budget;
 * if (budget?.remaining === 0) console.warn(`budget spent; whole again in ${budget.resetMs} ms`);
 * ```
 */
export interface RateLimitBudget {
  /** `x-ratelimit-limit-requests`: requests allowed per minute. */
  limit?: number;
  /** `x-ratelimit-remaining-requests`: requests left before the limit is hit. */
  remaining?: number;
  /** `x-ratelimit-reset-requests`, in ms: when the budget is whole again. */
  resetMs?: number;
}

/**
 * What a response said about pacing, read once where the response arrived (the transport's
 * `rateLimitSignalOf`), so that the limiter and the retry policy act on one reading of it:
 * the limiter decides when requests may go, the policy whether a failure is tried again.
 *
 * @example
 * ```ts
 * if (error instanceof RateLimitError && error.rateLimit.retryAfterMs !== undefined)
 *   console.warn(`the server asked for ${error.rateLimit.retryAfterMs} ms`);
 * ```
 */
export interface RateLimitSignal {
  /**
   * `retry-after-ms`, else `retry-after` (seconds, or an HTTP date read against the clock when
   * the response arrived), in ms from the response's arrival; absent when the server did not say.
   */
  readonly retryAfterMs?: number;
  /** The `x-ratelimit-*-requests` headers; absent when the response carried none of them. */
  readonly budget?: RateLimitBudget;
}

/**
 * What {@link APIError} is built from.
 *
 * @example
 * ```ts
 * // A fake failure for a test; the status picks the subclass. `rateLimit` is what the transport
 * // read from the headers on arrival: it is not derived from `headers` here.
 * const error = APIError.fromResponse(429, {
 *   headers: { 'retry-after': '2', 'x-request-id': 'req_123' },
 *   rateLimit: { retryAfterMs: 2000 },
 *   error: { message: 'Rate limit reached' },
 * });
 * error instanceof RateLimitError && error.requestID === 'req_123'; // true
 * ```
 */
export interface APIErrorInit {
  status?: number | undefined;
  headers?: Record<string, string> | undefined;
  /** The pacing the headers announced, read by the transport where the response arrived. */
  rateLimit?: RateLimitSignal | undefined;
  error?: APIErrorBody | undefined;
  /** The start of a body that was not an OpenAI error object (an HTML 502 page, say). */
  rawBody?: string | undefined;
  request?: RequestSummary | undefined;
  /** What to check, when the library can tell (a base URL without `/v1` behind a 404). */
  hint?: string | undefined;
  cause?: unknown;
}

/**
 * An error answered by the API (a non-2xx status), or met on the way to it.
 *
 * `status`, `headers`, `requestID` (the `x-request-id` header: quote it to OpenAI support) and
 * `error` (the parsed `{message,type,param,code}`) are those of the response; `request` is the
 * request that got it. The `message` is `404 No such checkpoint`: the status and the server's
 * words, as in the official SDK.
 *
 * @example
 * ```ts
 * permissions$(checkpoint, { client }).pipe(
 *   catchError((e) => {
 *     if (e instanceof NotFoundError) return EMPTY; // a checkpoint deleted since it was listed
 *     if (e instanceof APIError) console.error(e.message, e.request?.url, e.requestID);
 *     return throwError(() => e); // retryable failures were already retried by the client
 *   }),
 * );
 * ```
 */
export class APIError extends CheckpointPermissionsError {
  override name = 'APIError';
  readonly status: number | undefined;
  readonly headers: Record<string, string>;
  /**
   * What the response said about pacing (`retry-after`, `x-ratelimit-*`), read once where it
   * arrived; empty for a failure that is not an answer of the server (a connection error, a
   * timeout, a 2xx body cut off), which neither the limiter nor the policy reads it for.
   */
  readonly rateLimit: RateLimitSignal;
  readonly error: APIErrorBody | undefined;
  readonly code: string | null | undefined;
  readonly param: string | null | undefined;
  readonly type: string | undefined;
  readonly rawBody: string | undefined;
  /**
   * What to check, when the library can tell; also at the end of `message`. A 404 from a base
   * URL whose path does not end in `/v1` says `the API root usually ends in /v1 (got …)`.
   */
  readonly hint: string | undefined;

  constructor(message: string, init: APIErrorInit = {}) {
    const headers = init.headers ?? {};
    super(message, {
      request: init.request,
      requestID: headers['x-request-id'],
      cause: init.cause,
    });
    this.status = init.status;
    this.headers = headers;
    this.rateLimit = init.rateLimit ?? {};
    this.error = init.error;
    this.code = init.error?.code;
    this.param = init.error?.param;
    this.type = init.error?.type;
    this.rawBody = init.rawBody;
    this.hint = init.hint;
  }

  /**
   * The right subclass for an HTTP status, as the official SDK picks it.
   *
   * @example
   * ```ts
   * APIError.fromResponse(429, { error: { message: 'slow down' } }) instanceof RateLimitError; // true
   * ```
   */
  static fromResponse(status: number, init: Omit<APIErrorInit, 'status'>): APIError {
    const Class = errorClassForStatus(status);
    return new Class(describeResponseError(status, init), { ...init, status });
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      status: this.status,
      error: this.error,
      rawBody: this.rawBody,
      hint: this.hint,
    };
  }
}

/**
 * 400: the request was malformed; `param` names the offending parameter. Never retried.
 *
 * @example
 * ```ts
 * if (e instanceof BadRequestError) console.error(`bad ${e.param}: ${e.message}`);
 * ```
 */
export class BadRequestError extends APIError {
  override name = 'BadRequestError';
}
/**
 * 401: the key is missing, wrong or revoked. Never retried.
 *
 * @example
 * ```ts
 * if (e instanceof AuthenticationError) console.error('The API key was refused; is it revoked?');
 * ```
 */
export class AuthenticationError extends APIError {
  override name = 'AuthenticationError';
}
/**
 * 403: the key is valid but may not do this; permissions endpoints need an admin key.
 *
 * @example
 * ```ts
 * if (e instanceof PermissionDeniedError) console.error('These endpoints need an admin key');
 * ```
 */
export class PermissionDeniedError extends APIError {
  override name = 'PermissionDeniedError';
}
/**
 * 404: no such checkpoint, job or permission (or the key cannot see it). Never retried.
 *
 * @example
 * ```ts
 * catchError((e) => (e instanceof NotFoundError ? EMPTY : throwError(() => e)));
 * ```
 */
export class NotFoundError extends APIError {
  override name = 'NotFoundError';
}
/**
 * 409: a conflicting concurrent change; retried.
 *
 * @example
 * ```ts
 * if (e instanceof ConflictError) console.warn(`still conflicting after retries: ${e.message}`);
 * ```
 */
export class ConflictError extends APIError {
  override name = 'ConflictError';
}
/**
 * 422: well-formed but semantically invalid. Never retried.
 *
 * @example
 * ```ts
 * if (e instanceof UnprocessableEntityError) console.error(`invalid ${e.param}: ${e.message}`);
 * ```
 */
export class UnprocessableEntityError extends APIError {
  override name = 'UnprocessableEntityError';
}
/**
 * 429: rate limited. Retried after the server's `retry-after`, and the whole client pauses.
 *
 * @example
 * ```ts
 * if (e instanceof RateLimitError) console.warn(`still rate limited (request ${e.requestID})`);
 * ```
 */
export class RateLimitError extends APIError {
  override name = 'RateLimitError';
}
/**
 * 5xx: the server failed. Retried.
 *
 * @example
 * ```ts
 * if (e instanceof InternalServerError) console.error(`${e.status}, request ${e.requestID}`);
 * ```
 */
export class InternalServerError extends APIError {
  override name = 'InternalServerError';
}

/**
 * The request never got a complete response: refused or reset connection, DNS failure, a body
 * cut off mid-way. `cause` keeps the underlying error (undici's, with its `UND_ERR_*` `code`).
 * Retried.
 *
 * @example
 * ```ts
 * if (e instanceof APIConnectionError) console.error(`cannot reach ${e.request?.url}:`, e.cause);
 * ```
 */
export class APIConnectionError extends APIError {
  override name = 'APIConnectionError';
}

/**
 * An attempt outlived its `timeout`, or the request outlived its total `deadline`. Retried.
 *
 * @example
 * ```ts
 * if (e instanceof APIConnectionTimeoutError) console.error(`${e.message}; raise timeout?`);
 * ```
 */
export class APIConnectionTimeoutError extends APIConnectionError {
  override name = 'APIConnectionTimeoutError';
}

/**
 * The caller aborted (an `AbortSignal` fired, or the subscriber unsubscribed). Never retried.
 *
 * @example
 * ```ts
 * catchError((e) => (e instanceof APIUserAbortError ? EMPTY : throwError(() => e)));
 * ```
 */
export class APIUserAbortError extends APIError {
  override name = 'APIUserAbortError';
}

/**
 * What {@link ProtocolError} is built from.
 *
 * @example
 * ```ts
 * // The `parse` of a RequestSpec: a 2xx body without what the caller relies on.
 * const parse = (body: unknown, requestID: string | undefined): FineTuningJob => {
 *   if (typeof (body as { id?: unknown }).id !== 'string')
 *     throw new ProtocolError('The job has no id', { field: 'id', requestID });
 *   return body as FineTuningJob;
 * };
 * ```
 */
export interface ProtocolErrorInit {
  /** The response field at fault, as a path: `data[3].id`, `has_more`. */
  field?: string | undefined;
  /** True when a 2xx body ended before its JSON did: a truncation, so worth retrying. */
  truncated?: boolean | undefined;
  requestID?: string | undefined;
  request?: RequestSummary | undefined;
  cause?: unknown;
}

/**
 * A 2xx response that breaks the API's contract: a body that is not JSON, a page that does not
 * match the schema, a cursor that repeats or is missing while `has_more` is true. Retrying would
 * give the same answer, so it is not retried (except a truncated body).
 *
 * @example
 * ```ts
 * if (e instanceof ProtocolError) console.error(`bad field ${e.field}: ${e.message}`);
 * ```
 */
export class ProtocolError extends CheckpointPermissionsError {
  override name = 'ProtocolError';
  readonly field: string | undefined;
  readonly truncated: boolean;

  constructor(message: string, init: ProtocolErrorInit = {}) {
    super(message, init);
    this.field = init.field;
    this.truncated = init.truncated ?? false;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), field: this.field, truncated: this.truncated };
  }
}

/**
 * An option or argument was invalid, or the API key is missing. Raised before any request, and
 * names the option and what it accepts.
 *
 * @example
 * ```ts
 * createClient({ timeout: -1 }); // ConfigError: timeout must be a positive number of milliseconds (above 0 to 2147483647, about 24.8 days), got -1
 * ```
 */
export class ConfigError extends CheckpointPermissionsError {
  override name = 'ConfigError';
  /** The option at fault, e.g. `limit` or `rateLimit.maxConcurrency`. */
  readonly option: string;

  /**
   * @param options.cause - what went wrong underneath, such as the file system error of a
   *   `--state` file that cannot be read or written.
   */
  constructor(option: string, message: string, options?: { cause?: unknown }) {
    super(message, { cause: options?.cause });
    this.option = option;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), option: this.option };
  }
}

/**
 * A request on a client that was closed (`client.close()`, or the end of an `await using`
 * block), including one still waiting for its turn when the client closed. Nothing is sent, and
 * it is never retried. The official SDK has no `close()`, so no counterpart there.
 *
 * @example
 * ```ts
 * await client.close();
 * await client.request(spec).catch((e) => e instanceof ClientClosedError); // true
 * ```
 */
export class ClientClosedError extends CheckpointPermissionsError {
  override name = 'ClientClosedError';

  constructor() {
    super('This client was closed; create a new one with createClient()');
  }
}

/**
 * Gives an error raised without the request (by a `parse` function, which sees only the body)
 * the request it belongs to. Internal: the transport calls it before the error leaves it.
 *
 * @example
 * ```ts
 * throw withRequest(error, requestSummary); // the same error, now with `request` set
 * ```
 */
export function withRequest<E extends CheckpointPermissionsError>(
  error: E,
  request: RequestSummary,
): E {
  if (error.request === undefined)
    (error as { request: RequestSummary | undefined }).request = request;
  return error;
}

/** `text` without its final period(s) and trailing space: the shower of a message adds one. */
function withoutFinalPeriod(text: string): string {
  let end = text.length;
  while (end > 0 && (text[end - 1] === '.' || /\s/.test(text[end - 1] as string))) end--;
  return text.slice(0, end);
}

type APIErrorClass = new (message: string, init: APIErrorInit) => APIError;

/** The status-to-class table of the official SDK (`src/core/error.ts`, `APIError.generate`). */
function errorClassForStatus(status: number): APIErrorClass {
  switch (status) {
    case 400:
      return BadRequestError;
    case 401:
      return AuthenticationError;
    case 403:
      return PermissionDeniedError;
    case 404:
      return NotFoundError;
    case 409:
      return ConflictError;
    case 422:
      return UnprocessableEntityError;
    case 429:
      return RateLimitError;
    default:
      return status >= 500 ? InternalServerError : APIError;
  }
}

function describeResponseError(status: number, init: Omit<APIErrorInit, 'status'>): string {
  const detail = init.error?.message ?? (init.rawBody ? gistOf(init.rawBody) : 'no body');
  const hint = init.hint ? `; ${init.hint}` : '';
  return `${status} ${withoutFinalPeriod(detail)}${hint}`;
}

/** A body (an HTML error page, say) as one short line of text: tags dropped, spaces collapsed. */
function gistOf(text: string): string {
  const line = text
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return line.length > 200 ? `${line.slice(0, 200)}…` : line || 'empty body';
}

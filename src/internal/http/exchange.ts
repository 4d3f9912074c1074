import type { Dispatcher } from 'undici';
import { ConfigError } from '../../errors.js';
import { flattenHeaders, type Headers } from './headers.js';

/** One request, in the form undici's `dispatch` takes it. */
export interface ExchangeRequest {
  /** `http://host:port`, no path. */
  readonly origin: string;
  /** Path and query, starting with `/`. */
  readonly path: string;
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | null;
}

/** A response read to its end (an error response only up to `maxErrorBody` bytes). */
export interface RawResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
}

/** Where an exchange reports its one outcome; never called after `abort()`. */
export interface ExchangeListener {
  response(response: RawResponse): void;
  /**
   * The request failed: before any response (`headers` undefined), or after the headers of a
   * 2xx response, while its body was still arriving.
   */
  failure(cause: Error, headers: Headers | undefined): void;
  /**
   * A 2xx body is longer than `maxBody` (its `content-length` says so, or its bytes so far): the
   * connection has been closed, not drained, and nothing of the body is kept.
   */
  overflow(maxBody: number, headers: Headers): void;
}

/** How much of a body an exchange reads, in bytes. */
export interface BodyLimits {
  /** A 2xx body past this fails the exchange (`overflow`). */
  readonly maxBody: number;
  /** An error body is read this far (at most `maxBody`), then the rest is discarded. */
  readonly maxErrorBody: number;
}

/** A started exchange; `abort` closes the connection if the request is still in flight. */
export interface Exchange {
  abort(): void;
}

/**
 * One HTTP exchange over undici's `dispatch`, the handler API under its `request()`: the body
 * is collected into a string as it arrives, without the `Readable` stream, the `AsyncResource`
 * and the `AbortSignal` listener that `request()` sets up for every call. On loopback, where a
 * page's round trip costs a few hundred microseconds of CPU, that difference is measurable
 * (see docs/performance.md); on a slow network it is not, and the behaviour is the same.
 *
 * The outcome reaches the listener in a microtask, never from inside undici's parser callback:
 * whatever the listener does next (often, dispatch the next page) happens once undici is done
 * with this response, not in the middle of parsing it.
 *
 * @example
 * ```ts
 * const request = { origin, path: '/v1/things', method: 'GET', headers, body: null } as const;
 * const exchange = startExchange(agent, request, { maxBody: 2 ** 25, maxErrorBody: 65_536 }, {
 *   response: ({ status, body }) => console.log(status, body.length),
 *   failure: (cause) => console.error(cause),
 *   overflow: (maxBody) => console.error(`body over ${maxBody} bytes`),
 * });
 * exchange.abort(); // the listener hears nothing more
 * ```
 */
export function startExchange(
  dispatcher: Dispatcher,
  request: ExchangeRequest,
  limits: BodyLimits,
  listener: ExchangeListener,
): Exchange {
  const handler = new CollectingHandler(limits, listener);
  try {
    dispatcher.dispatch(
      {
        origin: request.origin,
        path: request.path,
        method: request.method,
        headers: request.headers,
        body: request.body,
      },
      handler,
    );
  } catch (error) {
    throw olderAPIRefusal(error) ?? error;
  }
  return handler;
}

/** What undici 5 and 6 throw for a handler without their methods: `invalid onError method`. */
const OLDER_API_REFUSAL = /^invalid on[A-Z]\w* method$/;

/**
 * The `ConfigError` for a dispatcher that refused the handler because it speaks only undici's
 * older handler API (undici 5 and 6, such as the dispatcher behind Node 20's own `fetch`):
 * those validate a handler in `dispatch` and throw `InvalidArgumentError` before sending
 * anything. `undefined` for any other failure.
 *
 * @example
 * ```ts
 * const refused = Object.assign(new Error('invalid onError method'), { code: 'UND_ERR_INVALID_ARG' });
 * olderAPIRefusal(refused)?.option; // 'dispatcher'
 * ```
 */
export function olderAPIRefusal(error: unknown): ConfigError | undefined {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (code !== 'UND_ERR_INVALID_ARG' || typeof message !== 'string') return undefined;
  if (!OLDER_API_REFUSAL.test(message)) return undefined;
  return new ConfigError(
    'dispatcher',
    `The dispatcher refused the request ("${message}"): it speaks only the older handler API ` +
      "of undici 6 and earlier (such as the dispatcher of Node 20's own fetch), which this " +
      'library does not use. Pass an Agent, Pool, ProxyAgent or MockAgent from undici 7 or ' +
      "later (import { Agent } from 'undici'), or leave the dispatcher option out.",
    { cause: error },
  );
}

/** Thrown into undici to close the connection of an exchange nobody waits for any more. */
class ExchangeAborted extends Error {
  override name = 'ExchangeAborted';
}

/**
 * Collects one response through undici 7's handler API (`onRequestStart`, `onResponseStart`,
 * `onResponseData`, `onResponseEnd`, `onResponseError`), the one documented for `dispatch`. The
 * older API (`onConnect`, `onHeaders`, ...) is deprecated in undici 7 and gone in undici 8, so
 * it is not implemented: a dispatcher that calls only it refuses this handler (see
 * {@link olderAPIRefusal}).
 */
class CollectingHandler implements Dispatcher.DispatchHandler, Exchange {
  readonly #maxBody: number;
  readonly #maxErrorBody: number;
  readonly #listener: ExchangeListener;
  /** Closes the request's connection; known once undici has given the request one. */
  #abortRequest: ((reason: Error) => void) | undefined;
  #status = 0;
  #headers: Headers | undefined;
  #chunks: Buffer[] = [];
  #size = 0;
  /** The outcome is decided: later events from undici are ignored. */
  #settled = false;
  /** The caller aborted: the listener hears nothing more. */
  #cancelled = false;

  constructor(limits: BodyLimits, listener: ExchangeListener) {
    this.#maxBody = limits.maxBody;
    this.#maxErrorBody = Math.min(limits.maxErrorBody, limits.maxBody);
    this.#listener = listener;
  }

  abort(): void {
    this.#cancelled = true;
    // Before the request has a connection, it is still queued: it is aborted when it gets one.
    if (!this.#settled) this.#abortRequest?.(new ExchangeAborted('aborted by its caller'));
    this.#settled = true;
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#started((reason) => controller.abort(reason));
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    // 1xx: informational, the real response follows.
    if (statusCode >= 200) this.#responseStarted(statusCode, flattenHeaders(headers));
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#data(chunk);
  }

  onResponseEnd(): void {
    if (!this.#settled) this.#respond();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.#failed(error);
  }

  /** The request has a connection (again, when undici retries the head of a failed pipeline). */
  #started(abort: (reason: Error) => void): void {
    this.#abortRequest = abort;
    if (this.#cancelled) abort(new ExchangeAborted('aborted by its caller'));
  }

  #responseStarted(statusCode: number, headers: Headers): void {
    this.#status = statusCode;
    this.#headers = headers;
    // A body announced too long is refused before a byte of it is read.
    const length = Number(headers['content-length']);
    if (this.#isSuccess() && length > this.#maxBody) this.#overflow();
  }

  #data(chunk: Buffer): void {
    if (this.#settled) return;
    this.#size += chunk.length;
    if (this.#isSuccess() && this.#size > this.#maxBody) return this.#overflow();
    this.#chunks.push(chunk);
    // An error body is read only so far; the rest would only cost time and memory.
    if (!this.#isSuccess() && this.#size >= this.#maxErrorBody) {
      this.#respond();
      this.#abortRequest?.(new ExchangeAborted('error body over its cap'));
    }
  }

  #failed(error: Error): void {
    if (this.#settled) return;
    // An error response cut short still says what it is: keep the part that arrived.
    if (this.#headers !== undefined && !this.#isSuccess()) return this.#respond();
    this.#settled = true;
    const headers = this.#headers;
    queueMicrotask(() => {
      if (!this.#cancelled) this.#listener.failure(error, headers);
    });
  }

  /**
   * The 2xx body is over its cap: the connection is closed at once (draining an endless body
   * would take forever) and what was collected is let go.
   */
  #overflow(): void {
    this.#settled = true;
    this.#chunks = [];
    const headers = this.#headers ?? {};
    this.#abortRequest?.(new ExchangeAborted('body over its cap'));
    queueMicrotask(() => {
      if (!this.#cancelled) this.#listener.overflow(this.#maxBody, headers);
    });
  }

  #isSuccess(): boolean {
    return this.#status >= 200 && this.#status < 300;
  }

  #respond(): void {
    this.#settled = true;
    const response: RawResponse = {
      status: this.#status,
      headers: this.#headers ?? {},
      body: textOf(this.#chunks, this.#size),
    };
    this.#chunks = [];
    queueMicrotask(() => {
      if (!this.#cancelled) this.#listener.response(response);
    });
  }
}

function textOf(chunks: readonly Buffer[], size: number): string {
  if (chunks.length === 0) return '';
  if (chunks.length === 1) return (chunks[0] as Buffer).toString('utf8');
  return Buffer.concat(chunks, size).toString('utf8');
}

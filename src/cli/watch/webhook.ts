import { APIConnectionError, APIError } from '../../errors.js';
import { rateLimitSignalOf } from '../../internal/http/rate-limit-headers.js';
import { decideRetry, type RetryPolicy } from '../../internal/retry/retry-policy.js';
import { terminalSafe } from '../terminal-text.js';

/**
 * What is POSTed for one event: Slack's incoming webhooks show `text`; other receivers read
 * `event`, and drop a redelivery by `id` (also sent as `Idempotency-Key` and `X-Event-Id`).
 *
 * @example
 * ```ts
 * const message: WebhookMessage = { id: 'audit_log-abc', text: 'granted …', event: { type: 'granted' } };
 * ```
 */
export interface WebhookMessage {
  readonly id: string;
  readonly text: string;
  readonly event: unknown;
}

/**
 * Options of {@link WebhookDelivery}.
 *
 * @example
 * ```ts
 * new WebhookDelivery('https://hooks.slack.com/services/T/B/x', { warn: (l) => process.stderr.write(l) });
 * ```
 */
export interface WebhookOptions {
  /** One line per failed delivery (a message given up on, a message dropped from a full queue). */
  readonly warn: (line: string) => void;
  /** @default the client's defaults: 6 retries, 500 ms doubling up to 8 s, full jitter */
  readonly policy?: RetryPolicy;
  /** Messages waiting at most; past it the oldest is dropped (with a warning). @default 1000 */
  readonly maxQueue?: number;
  /** Ms one POST may take. @default 10_000 */
  readonly timeout?: number;
}

const DEFAULT_POLICY: RetryPolicy = {
  maxRetries: 6,
  initialRetryDelay: 500,
  maxRetryDelay: 8_000,
  maxRetryAfter: 60_000,
  deadline: Infinity,
};

/**
 * Delivers messages to a webhook at least once, in order, one at a time: each POST retried
 * with the client's retry policy (`decideRetry`: 429 and 5xx and connection failures, backoff
 * with jitter, `Retry-After` honoured) under the same id. A webhook that stays down never stops
 * the watch: the message is given up with one line on stderr, and the queue is bounded.
 *
 * @example
 * ```ts
 * const hook = new WebhookDelivery(url, { warn: (line) => process.stderr.write(line) });
 * hook.send({ id: 'audit_log-abc', text: 'granted ft:… to proj_x', event });
 * await hook.close(5_000); // waits for the queue, at most 5 s
 * ```
 */
export class WebhookDelivery {
  readonly #url: string;
  readonly #shown: string;
  readonly #o: Required<WebhookOptions>;
  readonly #queue: WebhookMessage[] = [];
  readonly #aborter = new AbortController();
  #running: Promise<void> | undefined;
  #delivered = 0;
  #failed = 0;

  constructor(url: string, options: WebhookOptions) {
    this.#url = url;
    // A webhook URL is a secret (Slack's carries its token in the path): only its origin is shown.
    this.#shown = new URL(url).origin;
    this.#o = { policy: DEFAULT_POLICY, maxQueue: 1000, timeout: 10_000, ...options };
  }

  /** Messages delivered and given up on so far. */
  get counts(): { delivered: number; failed: number; queued: number } {
    return { delivered: this.#delivered, failed: this.#failed, queued: this.#queue.length };
  }

  /** Queues a message; returns at once. */
  send(message: WebhookMessage): void {
    if (this.#queue.length >= this.#o.maxQueue) {
      const dropped = this.#queue.shift() as WebhookMessage;
      this.#failed++;
      this.#o.warn(
        `checkpoint-permissions: webhook: queue full (${this.#o.maxQueue}); dropped event ${terminalSafe(dropped.id)}\n`,
      );
    }
    this.#queue.push(message);
    this.#running ??= this.#drain().finally(() => (this.#running = undefined));
  }

  /** Waits for the queue to empty, at most `timeoutMs`; then abandons what is left. */
  async close(timeoutMs: number): Promise<void> {
    if (this.#running) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.#running,
        new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
      ]);
      clearTimeout(timer);
    }
    this.#aborter.abort();
    const left = this.#queue.length;
    if (left > 0) {
      this.#failed += left;
      this.#o.warn(
        `checkpoint-permissions: webhook: ${left} event${left === 1 ? '' : 's'} not delivered before exit\n`,
      );
    }
  }

  async #drain(): Promise<void> {
    for (let message = this.#queue[0]; message; message = this.#queue[0]) {
      await this.#deliver(message);
      if (this.#aborter.signal.aborted) return;
      this.#queue.shift();
    }
  }

  async #deliver(message: WebhookMessage): Promise<void> {
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      let failure: unknown;
      try {
        const response = await fetch(this.#url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'idempotency-key': message.id,
            'x-event-id': message.id,
          },
          body: JSON.stringify(message),
          signal: AbortSignal.any([this.#aborter.signal, AbortSignal.timeout(this.#o.timeout)]),
        });
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok) {
          this.#delivered++;
          return;
        }
        const headers = Object.fromEntries(response.headers);
        failure = APIError.fromResponse(response.status, {
          headers,
          rateLimit: rateLimitSignalOf(headers, Date.now()),
        });
      } catch (error) {
        if (this.#aborter.signal.aborted) return;
        failure = new APIConnectionError(`POST ${this.#shown} failed`, { cause: error });
      }
      const decision = decideRetry(
        failure,
        attempt,
        Date.now() - started,
        this.#o.policy,
        Math.random,
      );
      if (!decision.retry) {
        this.#failed++;
        this.#o.warn(
          `checkpoint-permissions: webhook: event ${terminalSafe(message.id)} not delivered to ${terminalSafe(this.#shown)} (${terminalSafe(decision.reason)}); the watch goes on\n`,
        );
        return;
      }
      await sleep(decision.delayMs, this.#aborter.signal);
      if (this.#aborter.signal.aborted) return;
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

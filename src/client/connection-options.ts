import type { SchedulerLike } from 'rxjs';
import type { Dispatcher } from 'undici';

/**
 * Where requests go and how they are sent.
 *
 * @example
 * ```ts
 * createClient({ organization: 'org-acme', project: 'proj_platform', timeout: 10_000 });
 * createClient({ baseURL: emulator.url, apiKey: emulator.apiKey }); // tests, against the emulator
 * ```
 */
export interface ConnectionOptions {
  /**
   * The API key. The permissions endpoints need an **admin** key.
   * A missing key is reported at the first request, not here, naming the variables tried.
   * @default process.env.OPENAI_ADMIN_KEY, then process.env.OPENAI_API_KEY
   */
  apiKey?: string;
  /**
   * The API root; a trailing slash is fine. Point it at the emulator in tests.
   * @default process.env.OPENAI_BASE_URL, then 'https://api.openai.com/v1'
   */
  baseURL?: string;
  /**
   * Sent as `OpenAI-Organization`.
   * @default process.env.OPENAI_ORG_ID
   */
  organization?: string;
  /**
   * Sent as `OpenAI-Project`.
   * @default process.env.OPENAI_PROJECT_ID
   */
  project?: string;
  /**
   * Milliseconds one attempt may take, from sending to the last byte of the body, before it is
   * abandoned with `APIConnectionTimeoutError` (and retried): a server that never answers, or
   * drips its body a byte a second, holds an attempt no longer than this. A page of permissions
   * takes well under a second; the official SDK's 10 minutes is sized for long model generations
   * and, being per attempt, multiplies with retries. See `deadline` for a cap across attempts.
   * Accepts above 0 to 2_147_483_647 (about 24.8 days).
   * @default 30_000
   */
  timeout?: number;
  /**
   * The largest response body read, in bytes, success or error. A longer body fails the attempt
   * with a `ProtocolError` naming this option, and its connection is closed rather than drained:
   * a broken or hostile server cannot fill the memory. The default fits hundreds of times the
   * largest page (100 permissions, a few tens of KiB). Accepts 1_024 to 268_435_456 (256 MiB).
   * @default 33_554_432 (32 MiB)
   */
  maxResponseBytes?: number;
  /**
   * Any undici `Dispatcher` (an `Agent` with your pool sizes, a `ProxyAgent`, a `MockAgent`).
   * A dispatcher you pass is yours: `close()` leaves it open.
   * @default a keep-alive `Agent` owned, and closed, by the client
   */
  dispatcher?: Dispatcher;
  /** Headers added to every request (after ours, so they can override them, except `Authorization`). */
  defaultHeaders?: Record<string, string>;
  /**
   * The `User-Agent` header.
   * @default 'rx-checkpoint-permissions/<version> node/<version>'
   */
  userAgent?: string;
  /**
   * Times every wait (timeouts, backoff, pacing). Pass a `TestScheduler` to test in virtual time.
   * @default asyncScheduler
   */
  scheduler?: SchedulerLike;
}

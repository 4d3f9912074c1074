import type { SchedulerLike } from 'rxjs';
import type { Dispatcher } from 'undici';
import type { ProjectKeys } from './credentials.js';

/**
 * Where requests go and how they are sent.
 *
 * @example
 * ```ts
 * createClient({ organization: 'org-acme', project: 'proj_platform', timeout: 10_000 });
 * // tests, against the emulator
 * createClient({ baseURL: emulator.url, adminAPIKey: emulator.adminKey, projectKeys: emulator.projectKeys });
 * ```
 */
export interface ConnectionOptions {
  /**
   * The admin key: the checkpoint permission endpoints (list, create, delete),
   * `/organization/projects` and `/organization/audit_logs` take it, and nothing else does.
   * A missing key is reported at the first request that needs it, naming this option.
   * @default process.env.OPENAI_ADMIN_KEY
   */
  adminAPIKey?: string;
  /**
   * One project key (`sk-proj-…`): the fine-tuning jobs endpoints of its own project take it
   * (`fineTuningJobs$` and `jobCheckpoints$` without a `project`). It is never sent to the
   * permission endpoints, and is not an admin key: set `adminAPIKey` for those.
   * @default process.env.OPENAI_API_KEY
   */
  apiKey?: string;
  /**
   * The keys of other projects, for their jobs: a record of project ids to keys, or a function
   * `(projectId) => key | undefined` (asked once per project). Discovery reads the jobs of every
   * project that has one.
   * @default none
   */
  projectKeys?: ProjectKeys;
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

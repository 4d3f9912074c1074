import type { Client } from '../client/create-client.js';
import * as check from '../client/validate.js';
import { ConfigError } from '../errors.js';

/**
 * Options of `permissions$`, `permissionItems$` and `permissionPages`.
 *
 * @example
 * ```ts
 * // Pages of 100 in creation order, continuing after a permission seen in an earlier run.
 * permissions$(checkpoint, { client, limit: 100, order: 'ascending', after: lastSeenId });
 * permissions$(checkpoint, { client, projectId: 'proj_abc' }); // may this one project use it?
 * ```
 */
export interface ListPermissionsOptions {
  /**
   * The client whose key, retries and limiter to use. Share one client between streams so they
   * share its rate limit.
   * @default a client from the environment, created per subscription and closed after it
   */
  client?: Client;
  /** Start after this permission id (a cursor from an earlier `last_id`). */
  after?: string;
  /**
   * Permissions per page.
   * @default the API's default, 10
   */
  limit?: number;
  /**
   * `created_at` order.
   * @default the API's default, 'descending'
   */
  order?: 'ascending' | 'descending';
  /** Only the permission of this project. */
  projectId?: string;
  /** The API's own spelling of `projectId`; give one or the other. */
  project_id?: string;
  /** Aborts the stream (request in flight and pending backoff included) with `APIUserAbortError`. */
  signal?: AbortSignal;
  /** Stop after this many pages. */
  maxPages?: number;
}

/** The options, checked, with the query every page repeats. */
export interface ResolvedListOptions {
  readonly client: Client | undefined;
  readonly query: {
    readonly limit?: number;
    readonly order?: string;
    readonly project_id?: string;
  };
  readonly after: string | undefined;
  readonly maxPages: number | undefined;
  readonly signal: AbortSignal | undefined;
}

const KEYS = [
  'client',
  'after',
  'limit',
  'order',
  'projectId',
  'project_id',
  'signal',
  'maxPages',
] as const;

/**
 * Checks a checkpoint id and list options before anything is sent, throwing a `ConfigError`
 * that names the bad one.
 *
 * @example
 * ```ts
 * resolveListOptions('ft:…', { limit: 1e21 }); // ConfigError: limit must be a positive integer (1 to 9007199254740991), got 1e+21
 * ```
 */
export function resolveListOptions(checkpoint: unknown, input: unknown): ResolvedListOptions {
  checkCheckpoint(checkpoint);
  const o = check.optionsObject('options', input);
  check.knownKeys('', o, KEYS);
  if (o.projectId !== undefined && o.project_id !== undefined && o.projectId !== o.project_id) {
    throw new ConfigError(
      'projectId',
      'projectId and project_id are the same option; give one of them',
    );
  }
  const projectId = o.projectId ?? o.project_id;
  const query: { limit?: number; order?: string; project_id?: string } = {};
  if (o.limit !== undefined) query.limit = check.positiveInteger('limit', o.limit);
  if (o.order !== undefined)
    query.order = check.oneOf('order', o.order, ['ascending', 'descending']);
  if (projectId !== undefined) query.project_id = check.nonEmptyString('projectId', projectId);
  return {
    client: o.client === undefined ? undefined : check.client(o.client),
    query,
    after: o.after === undefined ? undefined : check.nonEmptyString('after', o.after),
    maxPages: o.maxPages === undefined ? undefined : check.positiveInteger('maxPages', o.maxPages),
    signal: o.signal === undefined ? undefined : check.signal(o.signal),
  };
}

/** A checkpoint id is a non-empty string, such as `ft:gpt-4o-mini-2024-07-18:org:name:abc123`. */
export function checkCheckpoint(checkpoint: unknown): asserts checkpoint is string {
  check.nonEmptyString('checkpoint', checkpoint);
  // URL resolution removes `.` and `..` segments even percent-encoded: they cannot be sent.
  if (checkpoint === '.' || checkpoint === '..') {
    throw new ConfigError(
      'checkpoint',
      `checkpoint cannot be "${checkpoint}": it is not an id the API can be asked about`,
    );
  }
}

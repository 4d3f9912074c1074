import type { Observable } from 'rxjs';
import type { Client } from '../client/create-client.js';
import * as check from '../client/validate.js';
import { ConfigError } from '../errors.js';
import { abortOnSignal } from '../internal/http/abort-on-signal.js';
import type { ListPage } from '../internal/http/list-page.js';
import type { Query } from '../internal/http/url.js';
import { parseAuditLogPage, type AuditLogEvent } from './audit-log-event.js';
import { listPages$ } from './list-pages.js';
import { withClient } from './with-client.js';

/**
 * The filters and cursors of `GET /organization/audit_logs`, with the spec's names. Arrays are
 * sent as `event_types[]=a&event_types[]=b` and the range as `effective_at[gte]=…`, as
 * openai-node sends them.
 *
 * @example
 * ```ts
 * const lastWeek: AuditLogQuery = {
 *   event_types: ['checkpoint.permission.created', 'checkpoint.permission.deleted'],
 *   effective_at: { gte: Math.floor(Date.now() / 1000) - 7 * 86_400 },
 *   limit: 100,
 * };
 * ```
 */
export interface AuditLogQuery {
  /** Only events of these types, such as `checkpoint.permission.created`. */
  event_types?: readonly string[];
  /** Only events whose `effective_at` (Unix seconds) is in this range. */
  effective_at?: { gt?: number; gte?: number; lt?: number; lte?: number };
  /** Only events on these targets. */
  resource_ids?: readonly string[];
  /**
   * Only events attributed to these projects. An admin key's actions land on the default
   * project, so this does not filter grants by grantee.
   */
  project_ids?: readonly string[];
  /** Only events by these actors (user, service account or API key tracking ids). */
  actor_ids?: readonly string[];
  /** Only events by users with these emails. */
  actor_emails?: readonly string[];
  /**
   * Events per page (the API takes 1 to 100).
   * @default the API's default, 20
   */
  limit?: number;
  /** Start after this event id (newest first: older events). */
  after?: string;
  /**
   * The page of events just newer than this event id. The API takes `after` or `before`, not
   * both, so with `before` the stream emits that one page and stops; page newer events with a
   * fresh `before` (the page's `first_id`).
   */
  before?: string;
}

/**
 * Options of `auditLog$`.
 *
 * @example
 * ```ts
 * auditLog$({ limit: 100 }, { client, maxPages: 1 }); // the 100 newest events
 * ```
 */
export interface AuditLogOptions {
  /** @default a client from the environment, per subscription */
  client?: Client;
  /** Aborts the stream with `APIUserAbortError`. */
  signal?: AbortSignal;
  /** Stop after this many pages. */
  maxPages?: number;
}

const LISTS = ['event_types', 'resource_ids', 'project_ids', 'actor_ids', 'actor_emails'] as const;
const BOUNDS = ['gt', 'gte', 'lt', 'lte'] as const;

/**
 * The organization's audit log, newest first, one page per emission
 * (`GET /organization/audit_logs`, admin key), the cursor followed through `paginate$`. It holds
 * events only since the organization enabled audit logging: older grants are not in it.
 *
 * @example
 * ```ts
 * auditLog$({ event_types: ['checkpoint.permission.created'] }, { client })
 *   .pipe(concatMap((page) => page.data))
 *   .subscribe((event) =>
 *     console.log(event['checkpoint.permission.created']?.data?.fine_tuned_model_checkpoint),
 *   );
 * ```
 */
export function auditLog$(
  query?: AuditLogQuery,
  options?: AuditLogOptions,
): Observable<ListPage<AuditLogEvent>> {
  const { sent, after } = resolveAuditLogQuery(query);
  if (after !== undefined && sent.before !== undefined) {
    throw new ConfigError(
      'query.before',
      'query.after and query.before cannot be combined: give one',
    );
  }
  const o = check.optionsObject('options', options);
  check.knownKeys('', o, ['client', 'signal', 'maxPages']);
  const client = o.client === undefined ? undefined : check.client(o.client);
  const signal = o.signal === undefined ? undefined : check.signal(o.signal);
  const maxPages =
    o.maxPages === undefined ? undefined : check.positiveInteger('maxPages', o.maxPages);
  return withClient(client, (c) =>
    listPages$(c, '/organization/audit_logs', parseAuditLogPage, {
      auth: 'admin',
      query: sent,
      start: after,
      // The next page's `after` would be combined with `before`, which the API refuses.
      maxPages: sent.before === undefined ? maxPages : 1,
    }),
  ).pipe(abortOnSignal(signal));
}

/** Checks a query before anything is sent; `after` becomes the cursor's start. */
function resolveAuditLogQuery(input: unknown): { sent: Query; after: string | undefined } {
  const q = check.optionsObject('query', input);
  check.knownKeys('query', q, [...LISTS, 'effective_at', 'limit', 'after', 'before']);
  const sent: Record<string, Query[string]> = {};
  for (const name of LISTS) {
    const list = q[name];
    if (list === undefined) continue;
    if (!Array.isArray(list)) {
      throw new ConfigError(`query.${name}`, `query.${name} must be an array of strings`);
    }
    sent[name] = list.map((item, i) => check.nonEmptyString(`query.${name}[${i}]`, item));
  }
  if (q.effective_at !== undefined) {
    const range = check.optionsObject('query.effective_at', q.effective_at);
    check.knownKeys('query.effective_at', range, BOUNDS);
    const bounds: Record<string, number> = {};
    for (const bound of BOUNDS) {
      if (range[bound] !== undefined) {
        bounds[bound] = check.nonNegativeInteger(`query.effective_at.${bound}`, range[bound]);
      }
    }
    sent.effective_at = bounds;
  }
  if (q.limit !== undefined) sent.limit = check.positiveInteger('query.limit', q.limit);
  if (q.before !== undefined) sent.before = check.nonEmptyString('query.before', q.before);
  const after = q.after === undefined ? undefined : check.nonEmptyString('query.after', q.after);
  return { sent, after };
}

import type { Observable } from 'rxjs';
import type { Client } from '../client/create-client.js';
import * as check from '../client/validate.js';
import { abortOnSignal } from '../internal/http/abort-on-signal.js';
import type { ListPage } from '../internal/http/list-page.js';
import { listPages$ } from './list-pages.js';
import { parseProjectsPage, type Project } from './project.js';
import { withClient } from './with-client.js';

/**
 * Options of `projects$`.
 *
 * @example
 * ```ts
 * projects$({ client, includeArchived: true, limit: 100 }); // every project, 100 a page
 * ```
 */
export interface ProjectsOptions {
  /** @default a client from the environment, per subscription */
  client?: Client;
  /**
   * Projects per page (the API takes 1 to 100).
   * @default the API's default, 20
   */
  limit?: number;
  /**
   * Archived projects too (`include_archived`). An audit wants them: a grant to an archived
   * project still stands.
   * @default false, the API's default
   */
  includeArchived?: boolean;
  /** Aborts the stream with `APIUserAbortError`. */
  signal?: AbortSignal;
}

/**
 * The organization's projects, one page per emission (`GET /organization/projects`, admin key),
 * the cursor followed through `paginate$`. Use them to name the projects that permissions grant
 * checkpoints to, and to find archived grantees.
 *
 * @example
 * ```ts
 * const all = await lastValueFrom(
 *   projects$({ client, includeArchived: true }).pipe(concatMap((page) => page.data), toArray()),
 * );
 * auditPermissions$(checkpoints, { client, projects: all });
 * ```
 */
export function projects$(options?: ProjectsOptions): Observable<ListPage<Project>> {
  const o = check.optionsObject('options', options);
  check.knownKeys('', o, ['client', 'limit', 'includeArchived', 'signal']);
  const client = o.client === undefined ? undefined : check.client(o.client);
  const query = {
    limit: o.limit === undefined ? undefined : check.positiveInteger('limit', o.limit),
    include_archived:
      o.includeArchived === undefined
        ? undefined
        : check.boolean('includeArchived', o.includeArchived),
  };
  const signal = o.signal === undefined ? undefined : check.signal(o.signal);
  return withClient(client, (c) =>
    listPages$(c, '/organization/projects', parseProjectsPage, { auth: 'admin', query }),
  ).pipe(abortOnSignal(signal));
}

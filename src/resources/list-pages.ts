import type { Observable } from 'rxjs';
import type { Client } from '../client/create-client.js';
import { listPageRequestID, type ListPage } from '../internal/http/list-page.js';
import type { RequestAuth } from '../internal/http/send-request.js';
import type { Query } from '../internal/http/url.js';
import { paginate$ } from '../internal/paginate/paginate.js';

/** How to page through one list endpoint. */
export interface ListPagesOptions {
  /** The query every page repeats; `after` is added by the cursor. */
  readonly query?: Query;
  /** The key the endpoint takes. */
  readonly auth: RequestAuth;
  /** The `after` of the first page. */
  readonly start?: string | undefined;
  readonly maxPages?: number | undefined;
}

/**
 * Every page of one GET list endpoint through `paginate$`, its path encoded once: the lists of
 * jobs, job checkpoints, projects and audit-log events all page this way.
 *
 * @example
 * ```ts
 * listPages$(client, '/organization/projects', parseProjectsPage, { auth: 'admin', query: { limit: 100 } })
 *   .subscribe((page) => console.log(page.data.length));
 * ```
 */
export function listPages$<T extends { readonly id: string }>(
  client: Client,
  path: string,
  parse: (body: unknown, requestID: string | undefined) => ListPage<T>,
  options: ListPagesOptions,
): Observable<ListPage<T>> {
  const { query = {}, auth, start, maxPages } = options;
  return paginate$({
    fetchPage: (after) =>
      client.request$({
        method: 'GET',
        path,
        auth,
        query: after === undefined ? query : { ...query, after },
        parse,
      }),
    start,
    maxPages,
    requestIDOf: listPageRequestID,
  });
}

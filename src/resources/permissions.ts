import { concatMap, type Observable } from 'rxjs';
import type { Client } from '../client/create-client.js';
import type { RequestSpec } from '../internal/http/send-request.js';
import { abortOnSignal } from '../internal/http/abort-on-signal.js';
import { listPageRequestID } from '../internal/http/list-page.js';
import { paginate$ } from '../internal/paginate/paginate.js';
import {
  resolveListOptions,
  type ListPermissionsOptions,
  type ResolvedListOptions,
} from './list-options.js';
import { parsePermissionPage, type Permission, type PermissionPage } from './permission.js';
import { permissionsPath } from './paths.js';
import { withClient } from './with-client.js';

/**
 * Every page of a checkpoint's permissions, as a cold Observable: nothing is requested until
 * you subscribe, each subscription pages on its own, and unsubscribing aborts the request in
 * flight and any pending backoff. Pages keep the API's field names (`data`, `has_more`,
 * `first_id`, `last_id`).
 *
 * The cursor is followed until `has_more` is false, through empty pages that still have a
 * cursor; a cursor that is missing or repeats is a `ProtocolError`, never a silent stop or an
 * endless loop. Only a failing page request is retried, so no permission is lost or duplicated.
 * Bad arguments throw a `ConfigError` at once.
 *
 * @example
 * ```ts
 * import { createClient, permissions$ } from 'rx-checkpoint-permissions';
 * import { map, reduce } from 'rxjs';
 *
 * const client = createClient(); // OPENAI_ADMIN_KEY from the environment
 * permissions$('ft:gpt-4o-mini-2024-07-18:acme:weather:B7R9VjQd', { client, limit: 100 })
 *   .pipe(
 *     map((page) => page.data.length),
 *     reduce((total, n) => total + n, 0),
 *   )
 *   .subscribe((total) => console.log(`${total} projects can use it`));
 * ```
 */
export function permissions$(
  checkpoint: string,
  options?: ListPermissionsOptions,
): Observable<PermissionPage> {
  const resolved = resolveListOptions(checkpoint, options);
  return withClient(resolved.client, (client) =>
    paginate$({
      fetchPage: pageFetcher(client, checkpoint, resolved.query),
      start: resolved.after,
      maxPages: resolved.maxPages,
      requestIDOf: listPageRequestID,
    }),
  ).pipe(abortOnSignal(resolved.signal));
}

/**
 * Every permission of a checkpoint, one emission each: {@link permissions$} flattened.
 *
 * @example
 * ```ts
 * permissionItems$('ft:gpt-4o-mini-2024-07-18:acme:weather:B7R9VjQd', { client })
 *   .pipe(filter((p) => !allowed.has(p.project_id)))
 *   .subscribe((p) => console.warn(`unexpected grant ${p.id} to ${p.project_id}`));
 * ```
 */
export function permissionItems$(
  checkpoint: string,
  options?: ListPermissionsOptions,
): Observable<Permission> {
  return permissions$(checkpoint, options).pipe(concatMap((page) => page.data));
}

/** The requests for the pages of one checkpoint's list. The path is encoded once, not once per page. */
function listPermissionsRequests(
  checkpoint: string,
  query: ResolvedListOptions['query'],
): (after: string | undefined) => RequestSpec<PermissionPage> {
  const path = permissionsPath(checkpoint);
  return (after) => ({
    method: 'GET',
    path,
    query: after === undefined ? query : { ...query, after },
    parse: parsePermissionPage,
  });
}

/**
 * `fetchPage` for `paginate$`: one checkpoint's pages through `client`; shared by the stream,
 * the pull iterator and the audit. With `signal`, each page request (its wait for a turn and its
 * backoffs included) is aborted by it and its abort error names the request.
 */
export function pageFetcher(
  client: Client,
  checkpoint: string,
  query: ResolvedListOptions['query'],
  signal?: AbortSignal,
): (after: string | undefined) => Observable<PermissionPage> {
  const requestFor = listPermissionsRequests(checkpoint, query);
  const options = { checkpoint, signal };
  return (after) => client.request$(requestFor(after), options);
}

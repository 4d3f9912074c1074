import { listPageRequestID } from '../internal/http/list-page.js';
import { paginate$ } from '../internal/paginate/paginate.js';
import { pull } from '../internal/paginate/pull.js';
import { resolveListOptions, type ListPermissionsOptions } from './list-options.js';
import type { PermissionPage } from './permission.js';
import { pageFetcher } from './permissions.js';
import { withClient } from './with-client.js';

/**
 * A checkpoint's permission pages as a pull-based `AsyncIterable`: the next page is requested
 * only when the loop has taken the previous one, so a slow consumer never has more than the page
 * in its hands and the one request after it. Fits `for await` and `stream.Readable.from` /
 * `pipeline`. It is `permissions$`'s walk (`paginate$`) pulled through its `process`
 * hook: the same requests through the client's limiter, retried by the same policy. Breaking out
 * of the loop aborts the request in flight.
 *
 * @example
 * ```ts
 * for await (const page of permissionPages('ft:gpt-4o-mini-2024-07-18:acme:weather:B7R9VjQd', { client })) {
 *   await db.insert(page.data); // the page after next is not requested until this is done
 * }
 * ```
 */
export function permissionPages(
  checkpoint: string,
  options?: ListPermissionsOptions,
): AsyncIterable<PermissionPage> {
  const resolved = resolveListOptions(checkpoint, options);
  return pull<PermissionPage>((gate) =>
    withClient(resolved.client, (client) =>
      paginate$<PermissionPage, never>({
        fetchPage: pageFetcher(client, checkpoint, resolved.query, resolved.signal),
        start: resolved.after,
        maxPages: resolved.maxPages,
        requestIDOf: listPageRequestID,
        process: gate,
      }),
    ),
  );
}

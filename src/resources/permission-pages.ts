import { createClient } from '../client/create-client.js';
import { nextCursor } from '../paginate/next-cursor.js';
import { resolveListOptions, type ListPermissionsOptions } from './list-options.js';
import type { PermissionPage } from './permission.js';
import { listPermissionsRequests } from './permissions.js';

/**
 * A checkpoint's permission pages as a pull-based `AsyncIterable`: each page is requested only
 * when the loop asks for it, so a slow consumer never has more than the page in its hands.
 * Fits `for await` and `stream.Readable.from` / `pipeline`. Requests go through the client's
 * limiter and are retried by p-retry with the same policy as the streams.
 *
 * @example
 * ```ts
 * for await (const page of permissionPages('ft:gpt-4o-mini-2024-07-18:acme:weather:B7R9VjQd', { client })) {
 *   await db.insert(page.data); // the next page is not requested until this is done
 * }
 * ```
 */
export function permissionPages(
  checkpoint: string,
  options?: ListPermissionsOptions,
): AsyncIterable<PermissionPage> {
  const resolved = resolveListOptions(checkpoint, options);
  return {
    async *[Symbol.asyncIterator]() {
      const client = resolved.client ?? createClient();
      try {
        const seen = new Set<string>(resolved.after === undefined ? [] : [resolved.after]);
        let cursor = resolved.after;
        const requestFor = listPermissionsRequests(checkpoint, resolved.query);
        const requestOptions = { checkpoint, signal: resolved.signal };
        for (let pages = 1; ; pages++) {
          const page = await client.request(requestFor(cursor), requestOptions);
          yield page;
          if (resolved.maxPages !== undefined && pages >= resolved.maxPages) return;
          cursor = nextCursor(page, seen);
          if (cursor === undefined) return;
        }
      } finally {
        if (!resolved.client) await client.close();
      }
    },
  };
}

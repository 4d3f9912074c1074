import {
  concat,
  defer,
  EMPTY,
  expand,
  from,
  ignoreElements,
  Observable,
  type ObservableInput,
  type Subscriber,
} from 'rxjs';
import { nextCursor, type CursorPage } from './next-cursor.js';

/**
 * How to page through one cursor list.
 *
 * @example
 * ```ts
 * const options: PaginateOptions<PermissionPage, Permission> = {
 *   fetchPage: (after) => client.request$(listSpec(after)),
 *   start: 'cp_zc4Q7MP6XxulcVzj4MZdwsAB', // resume after this permission
 *   process: (page) => page.data, // emit the items; the next page waits for them
 * };
 * ```
 */
export interface PaginateOptions<P extends CursorPage, R> {
  /** Requests the page after `cursor` (`undefined`: the first page). Retries belong in here. */
  readonly fetchPage: (cursor: string | undefined) => Observable<P>;
  /** The `after` of the first page. */
  readonly start?: string | undefined;
  /** Stop after this many pages, even if there are more. */
  readonly maxPages?: number | undefined;
  /**
   * What to emit for each page; the next page is requested only once this completes. By default
   * the page itself, at once. A slow `process` therefore holds the pagination back: this is the
   * hook that bulk audits use for backpressure.
   */
  readonly process?: (page: P) => ObservableInput<R>;
  /**
   * The request id of the response `page` came in, if known: a cursor error about the page (a
   * cursor that repeats, or none at all) then names the request, as every other error does.
   */
  readonly requestIDOf?: ((page: P) => string | undefined) | undefined;
}

/**
 * Cursor pagination as a cold Observable, driven by `expand`: each page's cursor, checked by
 * {@link nextCursor}, drives the next request. Only `fetchPage` knows the endpoint, so every
 * OpenAI list (permissions, jobs, job checkpoints) pages through here, and so does every entry
 * point over them: the streams, and the pull iterators (`permissionPages`, `auditPermissions`)
 * through the `process` hook. This is the one cursor walk: one `seen` set, one page count.
 *
 * A failing page request fails the stream after its own retries (inside `fetchPage`); pages
 * already emitted are never requested again. Unsubscribing aborts the request in flight.
 *
 * @example
 * ```ts
 * paginate$({ fetchPage: (after) => client.request$(listSpec(after)), maxPages: 3 })
 *   .subscribe((page) => console.log(page.data.length));
 * ```
 */
export function paginate$<P extends CursorPage, R = P>(
  options: PaginateOptions<P, R>,
): Observable<R> {
  const { fetchPage, start, maxPages = Infinity, process, requestIDOf } = options;
  return new Observable<R>((subscriber) => {
    const seen = new Set<string>(start === undefined ? [] : [start]);
    let fetched = 1;
    /** The request of the page after `page`, or nothing at the end (or past `maxPages`). */
    const following = (page: P): Observable<P> => {
      if (fetched >= maxPages || subscriber.closed) return EMPTY;
      const cursor = nextCursor(page, seen, requestIDOf?.(page));
      if (cursor === undefined) return EMPTY;
      fetched++;
      return fetchPage(cursor);
    };
    // Without `process`, each page is emitted and its cursor followed at once. With it, each page
    // expands into its processed values followed by the next page, so the next request waits for
    // the processing to complete. Either way the values go straight to the subscriber rather than
    // through `expand`, which would subscribe to an inner stream for every one of them. The chain
    // is subscribed with `subscriber` itself, so that unsubscribing while pages still arrive
    // synchronously reaches every operator at once.
    const step: (page: P) => Observable<P> = process
      ? (page) =>
          concat(
            emitTo(subscriber, process(page)),
            defer(() => following(page)),
          )
      : (page) => {
          subscriber.next(page as unknown as R);
          return following(page);
        };
    return fetchPage(start).pipe(expand(step), ignoreElements()).subscribe(subscriber);
  });
}

/** Sends `input`'s values to `subscriber`; completes (with no values of its own) after them. */
function emitTo<R>(subscriber: Subscriber<R>, input: ObservableInput<R>): Observable<never> {
  return new Observable<never>((inner) =>
    from(input).subscribe({
      next: (value) => subscriber.next(value),
      error: (error: unknown) => inner.error(error),
      complete: () => inner.complete(),
    }),
  );
}

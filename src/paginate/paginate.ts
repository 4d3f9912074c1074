import {
  concat,
  defer,
  EMPTY,
  expand,
  filter,
  from,
  map,
  type Observable,
  type ObservableInput,
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
}

type Step<P, R> = { readonly page: P } | { readonly value: R };

/**
 * Cursor pagination as a cold Observable, driven by `expand`: each page's cursor, checked by
 * {@link nextCursor}, drives the next request. Only `fetchPage` knows the endpoint, so every
 * OpenAI list (permissions, jobs, job checkpoints) pages through here.
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
  const { fetchPage, start, maxPages = Infinity, process } = options;
  if (!process) return pages$(fetchPage, start, maxPages) as unknown as Observable<R>;
  return defer(() => {
    const seen = new Set<string>(start === undefined ? [] : [start]);
    let fetched = 0;
    const fetch = (cursor: string | undefined): Observable<Step<P, R>> => {
      fetched++;
      return fetchPage(cursor).pipe(map((page) => ({ page })));
    };
    // `expand` sees both pages and emitted values; a page expands into its processed values
    // followed by the next page, so the next request waits for the processing to complete.
    // Each page's expansion holds the only request in flight, so the chain is sequential
    // by construction; the concurrency is left unbounded because `expand` holds back a
    // busy inner's values until a slot frees, which would delay every page by one request.
    return fetch(start).pipe(
      expand((step) => {
        if (!('page' in step)) return EMPTY;
        const values = from(process(step.page)).pipe(map((value): Step<P, R> => ({ value })));
        if (fetched >= maxPages) return values;
        return concat(
          values,
          defer(() => {
            const cursor = nextCursor(step.page, seen);
            return cursor === undefined ? EMPTY : fetch(cursor);
          }),
        );
      }),
      filter((step): step is { value: R } => 'value' in step),
      map((step) => step.value),
    );
  });
}

/**
 * Without a `process` step, the plain form: `expand` over the pages themselves, each page's
 * cursor fetching the next one as soon as the page is emitted. One operator per page instead of
 * the step wrappers above, on the path every `permissions$` takes.
 */
function pages$<P extends CursorPage>(
  fetchPage: (cursor: string | undefined) => Observable<P>,
  start: string | undefined,
  maxPages: number,
): Observable<P> {
  return defer(() => {
    const seen = new Set<string>(start === undefined ? [] : [start]);
    let fetched = 1;
    return fetchPage(start).pipe(
      expand((page) => {
        if (fetched >= maxPages) return EMPTY;
        const cursor = nextCursor(page, seen);
        if (cursor === undefined) return EMPTY;
        fetched++;
        return fetchPage(cursor);
      }),
    );
  });
}

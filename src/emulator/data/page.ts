import type { ListResponse } from '../api-types.js';
import type { Order } from '../http/query.js';

/**
 * What lists are sorted by: `(created_at, id)`, a total order because ids are unique. Ties on
 * `created_at` (several objects in one second) are broken by id, compared by UTF-16 code units.
 *
 * @example
 * const key: SortKey = { created_at: 1721764867, id: 'cp_zc4Q7MP6XxulcVzj4MZdwsAB' };
 */
export interface SortKey {
  readonly created_at: number;
  readonly id: string;
}

/**
 * Compares two keys in ascending `(created_at, id)` order, for `Array.prototype.sort`.
 *
 * @example
 * [b, a].sort(compareKeys); // oldest first
 */
export function compareKeys(a: SortKey, b: SortKey): number {
  return a.created_at - b.created_at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * One page request, already validated: `after` is the key of the cursor item, which need not
 * be in the list any more (a deleted permission still marks a position).
 *
 * @example
 * const request: PageRequest<CheckpointPermission> = { limit: 10, order: 'descending' };
 */
export interface PageRequest<T> {
  readonly after?: SortKey | undefined;
  readonly limit: number;
  readonly order: Order;
  /** Keeps only matching items before paging (the `project_id` filter). */
  readonly filter?: ((item: T) => boolean) | undefined;
}

/**
 * A page of items and whether more follow in the requested order.
 *
 * @example
 * const { data, has_more } = slicePage(sorted, { limit: 10, order: 'ascending' });
 */
export interface PageSlice<T> {
  readonly data: T[];
  readonly has_more: boolean;
}

/**
 * Cuts one page out of a list sorted ascending by `(created_at, id)`: the `limit` items strictly
 * after the cursor in the requested order. It binary-searches the cursor, so a page costs
 * O(log n + limit) however deep into the list it is (O(n) with a filter).
 *
 * @example
 * slicePage(sorted, { after: sorted[9], limit: 10, order: 'ascending' }); // items 10..19
 */
export function slicePage<T extends SortKey>(
  sorted: readonly T[],
  request: PageRequest<T>,
): PageSlice<T> {
  const items = request.filter ? sorted.filter(request.filter) : sorted;
  const { after, limit } = request;
  if (request.order === 'ascending') {
    const start = after ? firstAbove(items, after) : 0;
    const end = Math.min(start + limit, items.length);
    return { data: items.slice(start, end), has_more: end < items.length };
  }
  // Descending walks the same array backwards from the last item below the cursor.
  const end = after ? firstAbove(items, after, true) : items.length;
  const start = Math.max(end - limit, 0);
  return { data: items.slice(start, end).reverse(), has_more: start > 0 };
}

/** Index of the first item greater than `key` (or greater or equal, when `inclusive`). */
function firstAbove(items: readonly SortKey[], key: SortKey, inclusive = false): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const cmp = compareKeys(items[mid] as SortKey, key);
    if (cmp < 0 || (cmp === 0 && !inclusive)) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * Wraps a page in the list envelope with `first_id` and `last_id`, both `null` when the page is
 * empty (the excerpt types them `string | null`).
 *
 * @example
 * listResponse({ data: [], has_more: false }); // { object: 'list', data: [], first_id: null, ... }
 */
export function listResponse<T extends { id: string }>(page: PageSlice<T>): ListResponse<T> {
  return {
    object: 'list',
    data: page.data,
    first_id: page.data[0]?.id ?? null,
    last_id: page.data[page.data.length - 1]?.id ?? null,
    has_more: page.has_more,
  };
}

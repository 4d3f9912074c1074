import { ProtocolError } from '../../errors.js';

/**
 * The fields of an OpenAI cursor page that pagination reads.
 *
 * @example
 * ```ts
 * const page: CursorPage = { data: [{ id: 'cp_1' }, { id: 'cp_2' }], has_more: true };
 * nextCursor(page, new Set()); // 'cp_2': no last_id, so the last item's id
 * ```
 */
export interface CursorPage {
  readonly data: ReadonlyArray<{ readonly id: string }>;
  readonly has_more: boolean;
  readonly last_id?: string | null;
}

/**
 * The `after` for the page following `page`, or `undefined` when there is none. `seen` holds
 * every cursor used so far (the starting `after` included) and is updated.
 *
 * - `has_more: false` ends the list.
 * - The cursor is `last_id`, else the last item's `id` (the jobs list has no `last_id`).
 * - An empty page that still has a cursor goes on: the official SDK stops there
 *   (`ConversationCursorPage.hasNextPage` checks `data.length`) and silently drops the rest.
 * - `has_more` with no cursor at all, or a cursor already used, is a `ProtocolError`: following
 *   it would be an endless loop, and stopping would be a silent truncation.
 *
 * @example
 * ```ts
 * nextCursor({ data: [{ id: 'cp_1' }], has_more: true, last_id: null }, new Set()); // 'cp_1'
 * nextCursor({ data: [], has_more: false }, new Set());                           // undefined
 * ```
 */
export function nextCursor(
  page: CursorPage,
  seen: Set<string>,
  requestID?: string,
): string | undefined {
  if (!page.has_more) return undefined;
  const cursor = pageCursor(page);
  if (!cursor) {
    throw new ProtocolError(
      'The page says has_more but gives no cursor (no last_id and no items): cannot continue without skipping or repeating',
      { field: 'last_id', requestID },
    );
  }
  if (seen.has(cursor)) {
    throw new ProtocolError(
      `The cursor ${JSON.stringify(cursor)} repeats an earlier one: continuing would loop forever`,
      { field: 'last_id', requestID },
    );
  }
  seen.add(cursor);
  return cursor;
}

/**
 * Where a page ends, as a cursor: `last_id`, else the last item's `id`; `undefined` for an empty
 * page without `last_id`. What a resumable job records to continue after this page.
 *
 * @example
 * ```ts
 * pageCursor({ data: [{ id: 'cp_1' }, { id: 'cp_2' }], has_more: true }); // 'cp_2'
 * ```
 */
export function pageCursor(page: CursorPage): string | undefined {
  return page.last_id || page.data.at(-1)?.id;
}

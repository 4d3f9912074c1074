import { ShapeCheck } from './shape.js';

/**
 * One page of an OpenAI cursor list, with the API's own field names. `first_id` and `last_id`
 * are optional and nullable: the spec requires only `object`, `data` and `has_more`, and the
 * fine-tuning jobs list never sends them.
 *
 * @example
 * ```ts
 * fineTuningJobs$({ client }).subscribe((page: ListPage<FineTuningJob>) =>
 *   console.log(`${page.data.length} jobs${page.has_more ? ', more to come' : ''}`),
 * );
 * ```
 */
export interface ListPage<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  first_id?: string | null;
  last_id?: string | null;
}

/** Checks one list item and returns it typed; `path` is its place in the body (`data[2]`). */
export type ItemParser<T> = (item: unknown, path: string, check: ShapeCheck) => T;

/**
 * Checks a decoded body against the list schema shared by the spec's
 * `ListFineTuningCheckpointPermissionResponse`, `ListFineTuningJobCheckpointsResponse` and
 * `ListPaginatedFineTuningJobsResponse`, each item with `parseItem`.
 *
 * @example
 * ```ts
 * const page = parseListPage(body, 'req_1', (item, path, check) => {
 *   check.string(check.object(item, path), 'id', path);
 *   return item as { id: string };
 * });
 * ```
 */
export function parseListPage<T>(
  body: unknown,
  requestID: string | undefined,
  parseItem: ItemParser<T>,
): ListPage<T> {
  const check = new ShapeCheck(requestID);
  const page = check.object(body, '');
  check.literal(page, 'object', 'list', '');
  check.boolean(page, 'has_more', '');
  check.optionalString(page, 'first_id', '');
  check.optionalString(page, 'last_id', '');
  const data = check.array(page, 'data', '');
  for (let i = 0; i < data.length; i++) parseItem(data[i], `data[${i}]`, check);
  if (requestID !== undefined) requestIDs.set(page, requestID);
  return page as unknown as ListPage<T>;
}

/**
 * The pages {@link parseListPage} returned, each with the `x-request-id` of its response. Kept
 * beside the page rather than in it, so that a page keeps exactly the API's fields.
 */
const requestIDs = new WeakMap<object, string>();

/**
 * The `x-request-id` of the response a page came in, for errors about the page itself (a cursor
 * that repeats); `undefined` for a page that was not parsed by {@link parseListPage} or whose
 * response had no id.
 *
 * @example
 * ```ts
 * const body = { object: 'list', data: [], has_more: false };
 * const page = parseListPage(body, 'req_1', (item) => item as { id: string });
 * listPageRequestID(page); // 'req_1'
 * ```
 */
export function listPageRequestID(page: object): string | undefined {
  return requestIDs.get(page);
}

import { invalidParam } from './problem.js';

/**
 * The two orders of the permissions list (`order` enum in the excerpt).
 *
 * @example
 * const order: Order = 'ascending';
 */
export type Order = 'ascending' | 'descending';

/**
 * Reads `limit`: absent means the endpoint's default (10 for permissions and job checkpoints, 20
 * for jobs, per the excerpt); otherwise an integer from 1 to `max`. The messages and codes mirror
 * OpenAI's validation errors.
 *
 * @throws ApiProblem 400 with `param: 'limit'`.
 * @example
 * parseLimit(new URLSearchParams('limit=5'), 10, 100); // 5
 */
export function parseLimit(query: URLSearchParams, fallback: number, max: number): number {
  const raw = query.get('limit');
  if (raw === null) return fallback;
  if (!/^[+-]?\d+$/.test(raw)) {
    throw invalidParam(
      'limit',
      'invalid_type',
      `Invalid type for 'limit': expected an integer, but got a string instead.`,
    );
  }
  const limit = Number(raw);
  if (limit < 1) {
    throw invalidParam(
      'limit',
      'integer_below_min_value',
      `Invalid 'limit': integer below minimum value. Expected a value >= 1, but got ${raw} instead.`,
    );
  }
  if (limit > max) {
    throw invalidParam(
      'limit',
      'integer_above_max_value',
      `Invalid 'limit': integer above maximum value. Expected a value <= ${max}, but got ${raw} instead.`,
    );
  }
  return limit;
}

/**
 * Reads `order`, `descending` by default (excerpt: `default: descending`).
 *
 * @throws ApiProblem 400 with `param: 'order'`.
 * @example
 * parseOrder(new URLSearchParams('order=ascending')); // 'ascending'
 */
export function parseOrder(query: URLSearchParams): Order {
  const raw = query.get('order');
  if (raw === null) return 'descending';
  if (raw === 'ascending' || raw === 'descending') return raw;
  throw invalidParam(
    'order',
    'invalid_value',
    `Invalid value: '${raw}'. Supported values are: 'ascending' and 'descending'.`,
  );
}

/**
 * Reads the `after` cursor; an empty value counts as absent, as a first page often sends it.
 *
 * @example
 * parseAfter(new URLSearchParams('after=cp_abc')); // 'cp_abc'
 */
export function parseAfter(query: URLSearchParams): string | undefined {
  return query.get('after') || undefined;
}

import type { Project } from '../api-types.js';
import { listResponse, slicePage } from '../page.js';
import { invalidParam } from '../problem.js';
import { parseAfter, parseLimit } from '../query.js';
import type { Reply } from '../reply.js';
import type { Store } from '../store.js';

/**
 * `GET /v1/organization/projects` (admin key): `limit` 1 to 100, 20 by default, and `after` as
 * the spec declares; archived projects only with `include_archived=true`. The spec does not say
 * the order: oldest first, by `(created_at, id)`, is the emulator's assumption.
 *
 * @throws ApiProblem 400 naming `limit`, `after` or `include_archived`.
 * @example
 * listProjects(store, new URLSearchParams('include_archived=true'));
 */
export function listProjects(store: Store, query: URLSearchParams): Reply {
  const limit = parseLimit(query, 20, 100);
  const includeArchived = parseBoolean(query, 'include_archived');
  const afterId = parseAfter(query);
  const after = afterId === undefined ? undefined : store.project(afterId);
  if (afterId !== undefined && !after) {
    throw invalidParam(
      'after',
      'invalid_value',
      `Invalid 'after': no project with ID '${afterId}'.`,
    );
  }
  const page = slicePage(store.projects, {
    after,
    limit,
    order: 'ascending',
    filter: includeArchived ? undefined : (project: Project) => project.status !== 'archived',
  });
  return {
    status: 200,
    body: listResponse(page),
    page: { permissions: false, items: page.data.length },
  };
}

/**
 * Reads a boolean query parameter, `false` when absent.
 *
 * @throws ApiProblem 400 naming it, for anything but `true` or `false`.
 * @example
 * parseBoolean(new URLSearchParams('include_archived=true'), 'include_archived'); // true
 */
export function parseBoolean(query: URLSearchParams, name: string): boolean {
  const raw = query.get(name);
  if (raw === null || raw === 'false') return false;
  if (raw === 'true') return true;
  throw invalidParam(
    name,
    'invalid_type',
    `Invalid type for '${name}': expected a boolean, but got a string instead.`,
  );
}

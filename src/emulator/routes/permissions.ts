import type { CheckpointPermission, DeletedPermission } from '../api-types.js';
import { listResponse, slicePage } from '../page.js';
import type { PermissionTable } from '../permission-table.js';
import { invalidParam, notFound } from '../problem.js';
import { parseAfter, parseLimit, parseOrder } from '../query.js';
import type { Reply } from '../reply.js';
import type { Store } from '../store.js';

/**
 * `GET /v1/fine_tuning/checkpoints/{fine_tuned_model_checkpoint}/permissions`: one page in
 * `(created_at, id)` order, `descending` and 10 items by default (excerpt defaults). `project_id`
 * filters before paging; `after` may name a deleted permission, which still marks a position.
 *
 * @throws ApiProblem 400 naming `limit`, `order` or `after`; 404 for an unknown checkpoint.
 * @example
 * listPermissions(store, 'ft:…:ckpt-step-10', new URLSearchParams('limit=2'), 100);
 */
export function listPermissions(
  store: Store,
  checkpoint: string,
  query: URLSearchParams,
  maxLimit: number,
): Reply {
  const limit = parseLimit(query, 10, maxLimit);
  const order = parseOrder(query);
  const table = tableOf(store, checkpoint);
  const afterId = parseAfter(query);
  const after = afterId === undefined ? undefined : table.keyOf(afterId);
  if (afterId !== undefined && after === undefined) {
    throw invalidParam(
      'after',
      'invalid_value',
      `Invalid 'after': no permission with ID '${afterId}' exists for this checkpoint.`,
    );
  }
  const projectId = query.get('project_id');
  const filter =
    projectId === null
      ? undefined
      : (permission: CheckpointPermission) => permission.project_id === projectId;
  const page = slicePage(table.sorted, { after, limit, order, filter });
  return {
    status: 200,
    body: listResponse(page),
    page: { permissions: true, items: page.data.length },
  };
}

/**
 * `POST /v1/fine_tuning/checkpoints/{fine_tuned_model_checkpoint}/permissions` with
 * `{ project_ids }` (schema `CreateFineTuningCheckpointPermissionRequest`, no other properties).
 * Answers the list of the permissions for those projects, in request order. Idempotent: a project
 * that already has a permission gets that one back unchanged, so a client retrying a create whose
 * response was lost never duplicates a grant, and no 409 (which clients retry) is needed.
 *
 * @throws ApiProblem 400 naming `project_ids`; 404 for an unknown checkpoint.
 * @example
 * createPermissions(store, 'ft:…:ckpt-step-10', { project_ids: ['proj_abc'] }, 1721764900);
 */
export function createPermissions(
  store: Store,
  checkpoint: string,
  body: unknown,
  now: number,
): Reply {
  const projectIds = projectIdsOf(body);
  const table = tableOf(store, checkpoint);
  const data = [...new Set(projectIds)].map((projectId) => {
    const existing = table.findProject(projectId);
    if (existing) return existing;
    const created = store.newPermission(table, projectId, now);
    table.insert(created);
    return created;
  });
  return { status: 200, body: listResponse({ data, has_more: false }) };
}

/**
 * `DELETE /v1/fine_tuning/checkpoints/{fine_tuned_model_checkpoint}/permissions/{permission_id}`.
 *
 * @throws ApiProblem 404 for an unknown checkpoint or a permission that is not (or no longer) there.
 * @example
 * deletePermission(store, 'ft:…:ckpt-step-10', 'cp_zc4Q7MP6XxulcVzj4MZdwsAB');
 */
export function deletePermission(store: Store, checkpoint: string, permissionId: string): Reply {
  const deleted = tableOf(store, checkpoint).delete(permissionId);
  if (!deleted) {
    throw notFound(
      'permission_id',
      `No permission with ID '${permissionId}' exists for checkpoint '${checkpoint}'.`,
    );
  }
  const body: DeletedPermission = {
    object: 'checkpoint.permission',
    id: deleted.id,
    deleted: true,
  };
  return { status: 200, body };
}

function tableOf(store: Store, checkpoint: string): PermissionTable {
  const table = store.table(checkpoint);
  if (!table) {
    throw notFound(
      'fine_tuned_model_checkpoint',
      `The fine-tuned model checkpoint '${checkpoint}' does not exist or you do not have access to it.`,
    );
  }
  return table;
}

function projectIdsOf(body: unknown): string[] {
  const request = typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {};
  const extra = Object.keys(request).find((key) => key !== 'project_ids');
  if (extra !== undefined) {
    throw invalidParam(
      extra,
      'unknown_parameter',
      `Unrecognized request argument supplied: ${extra}`,
    );
  }
  const projectIds = (request as { project_ids?: unknown }).project_ids;
  if (projectIds === undefined) {
    throw invalidParam(
      'project_ids',
      'missing_required_parameter',
      "Missing required parameter: 'project_ids'.",
    );
  }
  if (!Array.isArray(projectIds)) {
    throw invalidParam(
      'project_ids',
      'invalid_type',
      `Invalid type for 'project_ids': expected an array of strings, but got ${describe(projectIds)} instead.`,
    );
  }
  if (projectIds.length === 0) {
    throw invalidParam(
      'project_ids',
      'empty_array',
      "Invalid 'project_ids': empty array. Expected an array with minimum length 1, but got an empty array instead.",
    );
  }
  const bad = projectIds.findIndex((id) => typeof id !== 'string' || id === '');
  if (bad !== -1) {
    throw invalidParam(
      'project_ids',
      'invalid_value',
      `Invalid 'project_ids[${bad}]': expected a non-empty string, but got ${describe(projectIds[bad])} instead.`,
    );
  }
  return projectIds as string[];
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === '') return 'an empty string';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

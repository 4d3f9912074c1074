import type {
  AuditLogActor,
  AuditLogEvent,
  CheckpointPermission,
  DeletedPermission,
} from '../api-types.js';
import type { Assumptions } from '../assumptions.js';
import { listResponse, slicePage } from '../page.js';
import type { PermissionTable } from '../permission-table.js';
import { ApiProblem, invalidParam, notFound } from '../problem.js';
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
 * Who writes, when, and under which assumptions: what a grant or a revocation needs besides its
 * arguments. `project` is where the audit log attributes the action (admin-key actions: the
 * default project).
 *
 * @example
 * const context: WriteContext = {
 *   now: 1721764900, actor: ACTORS.adminKey, project: 'proj_default', auditLogDelayMs: 0,
 *   assumptions: resolveAssumptions({}),
 * };
 */
export interface WriteContext {
  readonly now: number;
  readonly actor: AuditLogActor;
  readonly project: string;
  readonly auditLogDelayMs: number;
  readonly assumptions: Required<Assumptions>;
}

/**
 * `POST /v1/fine_tuning/checkpoints/{fine_tuned_model_checkpoint}/permissions` with
 * `{ project_ids }` (schema `CreateFineTuningCheckpointPermissionRequest`, no other properties).
 * Answers the list of the permissions for those projects, in request order. All or nothing: the
 * owning project (400, OpenAI's wording) or an unknown project (see `assumptions.unknownProject`)
 * refuses the whole request. A project that already has access gets its permission back unchanged
 * (`assumptions.regrant: 'idempotent'`, the default) or a 400 (`'error'`). Every permission
 * created writes a `checkpoint.permission.created` audit event.
 *
 * @throws ApiProblem 400 naming `project_ids`, or for the owning project; 404 for an unknown
 *   checkpoint or project.
 * @example
 * createPermissions(store, 'ft:…:ckpt-step-10', { project_ids: ['proj_abc'] }, context);
 */
export function createPermissions(
  store: Store,
  checkpoint: string,
  body: unknown,
  context: WriteContext,
): Reply {
  const data = grant(store, checkpoint, projectIdsOf(body), context);
  return { status: 200, body: listResponse({ data, has_more: false }) };
}

/**
 * Grants projects access to a checkpoint: the rules of {@link createPermissions}, for the API and
 * for `emulator.grant` alike. Returns the permissions, in request order.
 *
 * @throws ApiProblem as {@link createPermissions}.
 * @example
 * grant(store, 'ft:…:ckpt-step-10', ['proj_abc'], context)[0]?.id; // 'cp_…'
 */
export function grant(
  store: Store,
  checkpoint: string,
  projectIds: readonly string[],
  context: WriteContext,
): CheckpointPermission[] {
  const table = tableOf(store, checkpoint);
  const unique = [...new Set(projectIds)];
  const owner = store.ownerOfCheckpoint(checkpoint);
  const { unknownProject, regrant } = context.assumptions;
  for (const projectId of unique) {
    if (projectId === owner) {
      throw new ApiProblem(400, {
        message: `Cannot modify checkpoint permissions for the owning project: ${projectId}`,
        type: 'invalid_request_error',
      });
    }
    if (unknownProject !== 'allow' && !store.project(projectId)) {
      const message = `Project not found: ${projectId}`;
      throw unknownProject === 'not_found'
        ? notFound('project_ids', message)
        : invalidParam('project_ids', 'invalid_value', message);
    }
    if (regrant === 'error' && table.findProject(projectId)) {
      throw invalidParam(
        'project_ids',
        'already_exists',
        `Project ${projectId} already has access to the fine-tuned model checkpoint '${checkpoint}'.`,
      );
    }
  }
  return unique.map((projectId) => {
    const existing = table.findProject(projectId);
    if (existing) return existing;
    const created = store.newPermission(table, projectId, context.now);
    table.insert(created);
    record(store, context, {
      type: 'checkpoint.permission.created',
      'checkpoint.permission.created': {
        id: created.id,
        data: { project_id: projectId, fine_tuned_model_checkpoint: checkpoint },
      },
    });
    return created;
  });
}

/**
 * `DELETE /v1/fine_tuning/checkpoints/{fine_tuned_model_checkpoint}/permissions/{permission_id}`.
 *
 * @throws ApiProblem 404 for an unknown checkpoint or a permission that is not (or no longer) there.
 * @example
 * deletePermission(store, 'ft:…:ckpt-step-10', 'cp_zc4Q7MP6XxulcVzj4MZdwsAB', context);
 */
export function deletePermission(
  store: Store,
  checkpoint: string,
  permissionId: string,
  context: WriteContext,
): Reply {
  const deleted = revoke(store, checkpoint, permissionId, context);
  const body: DeletedPermission = {
    object: 'checkpoint.permission',
    id: deleted.id,
    deleted: true,
  };
  return { status: 200, body };
}

/**
 * Deletes one permission and writes its `checkpoint.permission.deleted` audit event: the rules of
 * {@link deletePermission}, for the API and for `emulator.revoke` alike.
 *
 * @throws ApiProblem 404 as {@link deletePermission}.
 * @example
 * revoke(store, 'ft:…:ckpt-step-10', 'cp_zc4Q7MP6XxulcVzj4MZdwsAB', context).project_id;
 */
export function revoke(
  store: Store,
  checkpoint: string,
  permissionId: string,
  context: WriteContext,
): CheckpointPermission {
  const deleted = tableOf(store, checkpoint).delete(permissionId);
  if (!deleted) {
    throw notFound(
      'permission_id',
      `No permission with ID '${permissionId}' exists for checkpoint '${checkpoint}'.`,
    );
  }
  record(store, context, {
    type: 'checkpoint.permission.deleted',
    'checkpoint.permission.deleted': { id: deleted.id },
  });
  return deleted;
}

/** Writes an audit event, unless audit logging had not begun yet. */
function record(
  store: Store,
  context: WriteContext,
  details: Pick<
    AuditLogEvent,
    'type' | 'checkpoint.permission.created' | 'checkpoint.permission.deleted'
  >,
): void {
  const since = store.auditLog.since;
  if (since !== null && context.now < since) return;
  const project = store.project(context.project);
  const { type, ...payload } = details;
  const event: AuditLogEvent = {
    id: store.newEventId(),
    type,
    effective_at: context.now,
    project: { id: context.project, name: project?.name ?? context.project },
    actor: structuredClone(context.actor),
    ...payload,
  };
  store.auditLog.append(event, context.auditLogDelayMs);
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

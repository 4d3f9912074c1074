import type { ListPage } from '../internal/http/list-page.js';
import { parseListPage } from '../internal/http/list-page.js';
import type { ShapeCheck } from '../internal/http/shape.js';

/**
 * One grant of a fine-tuned checkpoint to a project: the spec's
 * `FineTuningCheckpointPermission`, with the API's own field names.
 *
 * @example
 * ```ts
 * permissionItems$(checkpoint, { client }).subscribe((p: Permission) =>
 *   console.log(p.id, p.project_id, new Date(p.created_at * 1000).toISOString()),
 * );
 * ```
 */
export interface Permission {
  readonly object: 'checkpoint.permission';
  /** The permission's id (`cp_…`): what `deletePermission$` takes. */
  readonly id: string;
  /** Unix seconds. */
  readonly created_at: number;
  /** The project that may use the checkpoint (`proj_…`). */
  readonly project_id: string;
}

/**
 * One page of the spec's `ListFineTuningCheckpointPermissionResponse`.
 *
 * @example
 * ```ts
 * permissions$(checkpoint, { client }).subscribe((page: PermissionPage) =>
 *   console.log(page.data.length, page.has_more ? `more after ${page.last_id}` : 'last page'),
 * );
 * ```
 */
export type PermissionPage = ListPage<Permission>;

/**
 * The spec's `DeleteFineTuningCheckpointPermissionResponse`.
 *
 * @example
 * ```ts
 * const result: DeletedPermission = await lastValueFrom(
 *   deletePermission$(checkpoint, 'cp_zc4Q7MP6XxulcVzj4MZdwsAB', { client }),
 * );
 * if (!result.deleted) console.warn(`${result.id} is still granted`);
 * ```
 */
export interface DeletedPermission {
  readonly object: 'checkpoint.permission';
  readonly id: string;
  readonly deleted: boolean;
}

/** Checks one `FineTuningCheckpointPermission` (all four fields are required by the spec). */
export function parsePermission(item: unknown, path: string, check: ShapeCheck): Permission {
  const permission = check.object(item, path);
  check.literal(permission, 'object', 'checkpoint.permission', path);
  check.string(permission, 'id', path);
  check.integer(permission, 'created_at', path);
  check.string(permission, 'project_id', path);
  return permission as unknown as Permission;
}

/** Checks a list (or create) response body. */
export function parsePermissionPage(body: unknown, requestID: string | undefined): PermissionPage {
  return parseListPage(body, requestID, parsePermission);
}

import type { Observable } from 'rxjs';
import type { Client } from '../client/create-client.js';
import { ConfigError } from '../errors.js';
import { abortOnSignal } from '../internal/http/abort-on-signal.js';
import type { RequestSpec } from '../internal/http/send-request.js';
import { ShapeCheck } from '../internal/http/shape.js';
import * as check from '../client/validate.js';
import { checkCheckpoint } from './list-options.js';
import { parsePermissionPage, type DeletedPermission, type PermissionPage } from './permission.js';
import { permissionPath, permissionsPath } from './paths.js';
import { withClient } from './with-client.js';

/**
 * Options of the write calls.
 *
 * @example
 * ```ts
 * deletePermission$(checkpoint, 'cp_zc4Q7MP6XxulcVzj4MZdwsAB', {
 *   client,
 *   signal: AbortSignal.timeout(10_000),
 * });
 * ```
 */
export interface WriteOptions {
  /** @default a client from the environment, for this call only */
  client?: Client;
  /** Aborts the call with `APIUserAbortError`. */
  signal?: AbortSignal;
}

/**
 * Grants projects the use of a checkpoint (`POST …/permissions` with `{project_ids}`; admin key
 * needed). Emits the created permissions as a list page, then completes. Cold: nothing is sent
 * before subscription.
 *
 * @example
 * ```ts
 * createPermissions$('ft:gpt-4o-mini-2024-07-18:acme:weather:B7R9VjQd', ['proj_abc'], { client })
 *   .subscribe((page) => console.log(page.data.map((p) => p.id)));
 * ```
 */
export function createPermissions$(
  checkpoint: string,
  projectIds: readonly string[],
  options?: WriteOptions,
): Observable<PermissionPage> {
  checkCheckpoint(checkpoint);
  if (!Array.isArray(projectIds) || projectIds.length === 0) {
    throw new ConfigError(
      'projectIds',
      'projectIds must be a non-empty array of project ids (proj_…)',
    );
  }
  projectIds.forEach((id, i) => check.nonEmptyString(`projectIds[${i}]`, id));
  const { client, signal } = resolveWriteOptions(options);
  const spec: RequestSpec<PermissionPage> = {
    method: 'POST',
    path: permissionsPath(checkpoint),
    body: { project_ids: [...projectIds] },
    parse: parsePermissionPage,
  };
  return withClient(client, (c) => c.request$(spec, { checkpoint })).pipe(abortOnSignal(signal));
}

/**
 * Revokes one permission (`DELETE …/permissions/{permission_id}`; admin key needed): what an
 * audit does with a grant it should not have found. Emits `{object, id, deleted}`, then completes.
 * The request passes the client's limiter like any read.
 *
 * @example
 * ```ts
 * deletePermission$('ft:gpt-4o-mini-2024-07-18:acme:weather:B7R9VjQd', 'cp_zc4Q7MP6XxulcVzj4MZdwsAB', { client })
 *   .subscribe(({ deleted }) => console.log(deleted ? 'revoked' : 'still there'));
 * ```
 */
export function deletePermission$(
  checkpoint: string,
  permissionId: string,
  options?: WriteOptions,
): Observable<DeletedPermission> {
  checkCheckpoint(checkpoint);
  check.nonEmptyString('permissionId', permissionId);
  const { client, signal } = resolveWriteOptions(options);
  const spec = deletePermissionRequest(checkpoint, permissionId);
  return withClient(client, (c) => c.request$(spec, { checkpoint })).pipe(abortOnSignal(signal));
}

/** The request that revokes one permission; shared with the audit's remediation. */
export function deletePermissionRequest(
  checkpoint: string,
  permissionId: string,
): RequestSpec<DeletedPermission> {
  return {
    method: 'DELETE',
    path: permissionPath(checkpoint, permissionId),
    parse: parseDeletedPermission,
    // A retry whose earlier attempt deleted it (the answer lost on the way) finds a 404.
    alreadyDone: () => ({ object: 'checkpoint.permission', id: permissionId, deleted: true }),
  };
}

function resolveWriteOptions(input: unknown): {
  client: Client | undefined;
  signal: AbortSignal | undefined;
} {
  const o = check.optionsObject('options', input);
  check.knownKeys('', o, ['client', 'signal']);
  return {
    client: o.client === undefined ? undefined : check.client(o.client),
    signal: o.signal === undefined ? undefined : check.signal(o.signal),
  };
}

function parseDeletedPermission(body: unknown, requestID: string | undefined): DeletedPermission {
  const check = new ShapeCheck(requestID);
  const deleted = check.object(body, '');
  check.literal(deleted, 'object', 'checkpoint.permission', '');
  check.string(deleted, 'id', '');
  check.boolean(deleted, 'deleted', '');
  return deleted as unknown as DeletedPermission;
}

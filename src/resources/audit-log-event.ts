import type { ListPage } from '../internal/http/list-page.js';
import { parseListPage } from '../internal/http/list-page.js';
import type { ShapeCheck } from '../internal/http/shape.js';

/** The audit-log event that records a grant: its payload names the checkpoint and the grantee. */
export const PERMISSION_CREATED = 'checkpoint.permission.created';
/** The audit-log event that records a revocation: its payload holds the permission id only. */
export const PERMISSION_DELETED = 'checkpoint.permission.deleted';

/**
 * One event of the organization's audit log: the spec's `AuditLog`
 * (`GET /organization/audit_logs`). The two checkpoint permission events are typed; every other
 * type passes through with its own payload under its type's name.
 *
 * @example
 * ```ts
 * auditLog$({ event_types: ['checkpoint.permission.created'] }, { client })
 *   .pipe(concatMap((page) => page.data))
 *   .subscribe((event: AuditLogEvent) => {
 *     const grant = event['checkpoint.permission.created'];
 *     console.log(new Date(event.effective_at * 1000), grant?.data?.fine_tuned_model_checkpoint);
 *   });
 * ```
 */
export interface AuditLogEvent {
  /** The event's id (`audit_log-…`): the cursor of the list. */
  readonly id: string;
  /** The event type, such as `checkpoint.permission.created`. */
  readonly type: string;
  /** Unix seconds. */
  readonly effective_at: number;
  /** The project the action is attributed to (an admin key's actions: the default project). */
  readonly project?: { readonly id?: string; readonly name?: string };
  /** Who acted (the spec's `AuditLogActor`), or `null`. */
  readonly actor?: unknown;
  readonly [PERMISSION_CREATED]?: {
    /** The permission's id (`cp_…`). */
    readonly id?: string;
    readonly data?: {
      /** The grantee. */
      readonly project_id?: string;
      /** The checkpoint granted: always present (checked). */
      readonly fine_tuned_model_checkpoint: string;
    };
  };
  readonly [PERMISSION_DELETED]?: { readonly id?: string };
  readonly [field: string]: unknown;
}

/**
 * Checks one `AuditLog`: `id`, `type` and `effective_at` (the spec's required fields), and for a
 * `checkpoint.permission.created` event the checkpoint it names, which discovery reads.
 */
export function parseAuditLogEvent(item: unknown, path: string, check: ShapeCheck): AuditLogEvent {
  const event = check.object(item, path);
  check.string(event, 'id', path);
  check.string(event, 'type', path);
  check.integer(event, 'effective_at', path);
  check.optionalObject(event, 'project', path);
  const created = check.optionalObject(event, PERMISSION_CREATED, path);
  if (event.type === PERMISSION_CREATED) {
    const where = `${path}.${PERMISSION_CREATED}`;
    const payload = created ?? check.object(created, where);
    check.optionalString(payload, 'id', where);
    const data = check.object(payload.data, `${where}.data`);
    check.string(data, 'fine_tuned_model_checkpoint', `${where}.data`);
    check.optionalString(data, 'project_id', `${where}.data`);
  }
  check.optionalObject(event, PERMISSION_DELETED, path);
  return event as unknown as AuditLogEvent;
}

/** Checks a `ListAuditLogsResponse` body. */
export const parseAuditLogPage = (
  body: unknown,
  requestID: string | undefined,
): ListPage<AuditLogEvent> => parseListPage(body, requestID, parseAuditLogEvent);

/**
 * What an audit emits, one object per event, each tagged with its checkpoint and a `type`.
 * For one checkpoint the order is: its permissions and, after each page, a `page` record; then
 * any `revocation`s; then one `checkpoint` record, or an `error` record if it failed. A
 * `summary` ends the audit.
 *
 * @example
 * ```ts
 * auditPermissions$(checkpoints, { client }).subscribe((record: AuditRecord) => {
 *   if (record.type === 'error') console.error(record.checkpoint, record.error.message);
 *   else if (record.type === 'summary') console.info(`${record.violations} violations`);
 * });
 * ```
 */
export type AuditRecord =
  | PermissionRecord
  | PageRecord
  | RevocationRecord
  | CheckpointRecord
  | CheckpointErrorRecord
  | AuditSummary;

/**
 * One permission found, with the API's field names.
 *
 * @example
 * ```ts
 * auditPermissions$(checkpoints, { client, allow })
 *   .pipe(filter((r): r is PermissionRecord => r.type === 'permission' && r.allowed === false))
 *   .subscribe((r) => console.warn(`${r.project_id} may use ${r.checkpoint} (${r.id})`));
 * ```
 */
export interface PermissionRecord {
  readonly type: 'permission';
  readonly checkpoint: string;
  readonly id: string;
  readonly project_id: string;
  readonly created_at: number;
  /** Whether the allow-list permits it: `false` is a violation. `undefined` without an allow-list. */
  readonly allowed: boolean | undefined;
  /** The grantee's name, from the audit's `projects`; `null` when unknown. */
  readonly project_name: string | null;
  /** The grantee's status (`'active'`, `'archived'`) from the audit's `projects`; `null` when unknown. */
  readonly project_status: string | null;
  /** The grantee is archived: the grant still stands, though nobody may be using it. */
  readonly archived: boolean;
  /** A violation's stable id (see `findingId`): present exactly when `allowed` is `false`. */
  readonly finding_id?: string;
}

/**
 * A page of a checkpoint is done: everything before this record is safe to commit.
 *
 * @example
 * ```ts
 * if (record.type === 'page') {
 *   console.log(`${record.checkpoint}: page ${record.page}, ${record.permissions} permissions`);
 *   journal.commit(record, bytesWritten); // a resumed run continues after record.after
 * }
 * ```
 */
export interface PageRecord {
  readonly type: 'page';
  readonly checkpoint: string;
  /** 1 for the first page of this run. */
  readonly page: number;
  readonly permissions: number;
  /** The cursor to resume after this page; `null` after the last one. */
  readonly after: string | null;
  /** This page's violations, for a journal to carry over to a resumed run (which revokes them). */
  readonly violations: readonly Violation[];
}

/**
 * A permission outside the allow-list, as a resumed run needs to know it.
 *
 * @example
 * ```ts
 * // Carried from an interrupted run's journal into the resumed audit, which revokes it.
 * const rogue: Violation = { id: 'cp_zc4Q7MP6XxulcVzj4MZdwsAB', project_id: 'proj_contractor' };
 * ```
 */
export interface Violation {
  readonly id: string;
  readonly project_id: string;
  /** When it was granted (absent in journals written before it was recorded). */
  readonly created_at?: number;
  /** Already revoked (or reported, in a dry run) by the interrupted run: counted, not redone. */
  readonly revoked?: true;
}

/**
 * A violation was revoked, would have been in a dry run, or was left in place because the
 * audit's `maxRevocations` budget was spent (`reason: 'budget-exhausted'`). One per violation.
 *
 * @example
 * ```ts
 * if (record.type === 'revocation') {
 *   const outcome = record.dryRun
 *     ? 'would revoke'
 *     : record.reason === 'budget-exhausted'
 *       ? 'not revoked: budget exhausted'
 *       : record.deleted
 *         ? 'revoked'
 *         : 'failed';
 *   console.log(outcome, record.id, record.project_id, record.error?.message ?? '');
 * }
 * ```
 */
export interface RevocationRecord {
  readonly type: 'revocation';
  readonly checkpoint: string;
  readonly id: string;
  readonly project_id: string;
  /** When the permission was granted, if known. */
  readonly created_at?: number | undefined;
  readonly dryRun: boolean;
  /** True when the permission is gone: the API confirmed the deletion, or found it gone (404). */
  readonly deleted: boolean;
  readonly error: ErrorDetails | undefined;
  /** Why no DELETE was sent: the `maxRevocations` budget was spent. `undefined` otherwise. */
  readonly reason?: 'budget-exhausted' | undefined;
  /** The violation's stable id (see `findingId`): the same as its permission record's. */
  readonly finding_id: string;
}

/**
 * A checkpoint was audited completely.
 *
 * @example
 * ```ts
 * if (record.type === 'checkpoint') {
 *   console.log(`${record.checkpoint}: ${record.permissions} permissions, ${record.pages} pages`);
 * }
 * ```
 */
export interface CheckpointRecord {
  readonly type: 'checkpoint';
  readonly checkpoint: string;
  readonly permissions: number;
  readonly violations: number;
  readonly pages: number;
}

/**
 * A checkpoint could not be audited (404, retries exhausted...); the others carry on.
 *
 * @example
 * ```ts
 * if (record.type === 'error') {
 *   if (record.cause instanceof NotFoundError) deleted.push(record.checkpoint);
 *   else console.error(record.checkpoint, record.error.message);
 * }
 * ```
 */
export interface CheckpointErrorRecord {
  readonly type: 'error';
  readonly checkpoint: string;
  readonly error: ErrorDetails;
  /** The error itself, for code that wants to inspect it. Not serialised by the CLI. */
  readonly cause: unknown;
}

/**
 * The serialisable gist of an error: what the JSONL output prints.
 *
 * @example
 * ```ts
 * if (record.type === 'error') {
 *   const { status, type, message, request_id } = record.error;
 *   console.error(`${status ?? '-'} ${type}: ${message} (request ${request_id ?? 'none'})`);
 * }
 * ```
 */
export interface ErrorDetails {
  readonly status: number | null;
  readonly type: string | null;
  readonly message: string;
  readonly request_id: string | null;
}

/**
 * The last record of an audit. Request counters are the client's, over the audit's lifetime.
 *
 * @example
 * ```ts
 * auditPermissions$(checkpoints, { client, allow })
 *   .pipe(filter((r): r is AuditSummary => r.type === 'summary'))
 *   .subscribe((s) => (process.exitCode = s.violations > 0 || s.checkpoints.failed > 0 ? 1 : 0));
 * ```
 */
export interface AuditSummary {
  readonly type: 'summary';
  readonly checkpoints: { readonly ok: number; readonly failed: number; readonly skipped: number };
  readonly permissions: number;
  readonly violations: number;
  /** Permissions granted to archived projects (known only with the audit's `projects`). */
  readonly archived: number;
  readonly revoked: number;
  /** Violations left in place because the `maxRevocations` budget was spent. */
  readonly overBudget: number;
  readonly requests: number;
  readonly retries: number;
  readonly rateLimited: number;
  readonly elapsedMs: number;
}

/**
 * What an audit emits, one object per event, each tagged with its checkpoint and a `type`.
 * For one checkpoint the order is: its permissions and, after each page, a `page` record; then
 * any `revocation`s; then one `checkpoint` record, or an `error` record if it failed. A
 * `summary` ends the audit.
 */
export type AuditRecord =
  | PermissionRecord
  | PageRecord
  | RevocationRecord
  | CheckpointRecord
  | CheckpointErrorRecord
  | AuditSummary;

/** One permission found, with the API's field names. */
export interface PermissionRecord {
  readonly type: 'permission';
  readonly checkpoint: string;
  readonly id: string;
  readonly project_id: string;
  readonly created_at: number;
  /** Whether the allow-list permits it: `false` is a violation. `undefined` without an allow-list. */
  readonly allowed: boolean | undefined;
}

/** A page of a checkpoint is done: everything before this record is safe to commit. */
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

/** A permission outside the allow-list, as a resumed run needs to know it. */
export interface Violation {
  readonly id: string;
  readonly project_id: string;
}

/** A violation was revoked, or would have been in a dry run. */
export interface RevocationRecord {
  readonly type: 'revocation';
  readonly checkpoint: string;
  readonly id: string;
  readonly project_id: string;
  readonly dryRun: boolean;
  /** True when the API confirmed the deletion. */
  readonly deleted: boolean;
  readonly error: ErrorDetails | undefined;
}

/** A checkpoint was audited completely. */
export interface CheckpointRecord {
  readonly type: 'checkpoint';
  readonly checkpoint: string;
  readonly permissions: number;
  readonly violations: number;
  readonly pages: number;
}

/** A checkpoint could not be audited (404, retries exhausted...); the others carry on. */
export interface CheckpointErrorRecord {
  readonly type: 'error';
  readonly checkpoint: string;
  readonly error: ErrorDetails;
  /** The error itself, for code that wants to inspect it. Not serialised by the CLI. */
  readonly cause: unknown;
}

/** The serialisable gist of an error: what the JSONL output prints. */
export interface ErrorDetails {
  readonly status: number | null;
  readonly type: string | null;
  readonly message: string;
  readonly request_id: string | null;
}

/** The last record of an audit. Request counters are the client's, over the audit's lifetime. */
export interface AuditSummary {
  readonly type: 'summary';
  readonly checkpoints: { readonly ok: number; readonly failed: number; readonly skipped: number };
  readonly permissions: number;
  readonly violations: number;
  readonly revoked: number;
  readonly requests: number;
  readonly retries: number;
  readonly rateLimited: number;
  readonly elapsedMs: number;
}

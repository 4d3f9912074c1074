import type {
  AuditRecord,
  CheckpointErrorRecord,
  PermissionRecord,
  RevocationRecord,
} from '../../audit/audit-record.js';

/** How `--format` turns records into text. `table` is rendered separately, at the end. */
export interface LineFormat {
  /** Printed once at the top of a new output (CSV's header row). */
  readonly header: string;
  /** The lines for one record, each ending in a newline; '' for records the format skips. */
  line(record: AuditRecord): string;
}

/**
 * JSON Lines: one object per permission `{"checkpoint","id","project_id","created_at"}` (plus
 * `"allowed"` when an allow-list is in force, then a violation's `"finding_id"`), one per failed
 * checkpoint `{"checkpoint","error":{"status","type","message","request_id"}}`, and one per
 * revocation.
 *
 * @example
 * ```ts
 * jsonl(false).line({ type: 'permission', checkpoint: 'ft:x', id: 'cp_1', project_id: 'proj_1', created_at: 1, allowed: undefined });
 * // '{"checkpoint":"ft:x","id":"cp_1","project_id":"proj_1","created_at":1}\n'
 * ```
 */
export function jsonl(withAllowed: boolean): LineFormat {
  return {
    header: '',
    line(record) {
      switch (record.type) {
        case 'permission':
          return `${JSON.stringify(permissionFields(record, withAllowed))}\n`;
        case 'error':
          return `${JSON.stringify({ checkpoint: record.checkpoint, error: record.error })}\n`;
        case 'revocation':
          return `${JSON.stringify(revocationFields(record))}\n`;
        default:
          return '';
      }
    },
  };
}

const CSV_COLUMNS = [
  'checkpoint',
  'id',
  'project_id',
  'created_at',
  'allowed',
  'revoked',
  'error',
  'finding_id',
] as const;

/**
 * CSV (RFC 4180) with a header row: one row per permission, per revocation (`revoked` is `true`,
 * `false`, or `dry-run`) and per failed checkpoint (`error` holds the message); a violation's
 * row ends with its `finding_id`.
 *
 * @example
 * ```ts
 * csv().header; // 'checkpoint,id,project_id,created_at,allowed,revoked,error,finding_id\n'
 * ```
 */
export function csv(): LineFormat {
  return {
    header: `${CSV_COLUMNS.join(',')}\n`,
    line(record) {
      switch (record.type) {
        case 'permission':
          return row([
            record.checkpoint,
            record.id,
            record.project_id,
            record.created_at,
            record.allowed,
            '',
            '',
            record.finding_id,
          ]);
        case 'revocation':
          return row([
            record.checkpoint,
            record.id,
            record.project_id,
            '',
            false,
            record.dryRun ? 'dry-run' : record.deleted,
            record.error?.message ?? '',
            '',
          ]);
        case 'error':
          return row([record.checkpoint, '', '', '', '', '', errorLine(record), '']);
        default:
          return '';
      }
    },
  };
}

function permissionFields(record: PermissionRecord, withAllowed: boolean): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    checkpoint: record.checkpoint,
    id: record.id,
    project_id: record.project_id,
    created_at: record.created_at,
  };
  if (withAllowed) fields.allowed = record.allowed;
  if (record.finding_id !== undefined) fields.finding_id = record.finding_id;
  return fields;
}

function revocationFields(record: RevocationRecord): Record<string, unknown> {
  return {
    checkpoint: record.checkpoint,
    revoke: {
      id: record.id,
      project_id: record.project_id,
      dry_run: record.dryRun,
      deleted: record.deleted,
    },
    ...(record.error ? { error: record.error } : {}),
  };
}

function errorLine(record: CheckpointErrorRecord): string {
  const { status, request_id, message } = record.error;
  // API errors' messages already start with their status.
  const reason =
    status === null || message.startsWith(`${status} `) ? message : `${status} ${message}`;
  return request_id ? `${reason} | request ${request_id}` : reason;
}

function row(cells: ReadonlyArray<string | number | boolean | undefined>): string {
  return `${cells.map((cell) => csvCell(cell === undefined ? '' : String(cell))).join(',')}\n`;
}

/** Quotes a cell when it holds a comma, quote or line break (RFC 4180 §2.6–2.7). */
export function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

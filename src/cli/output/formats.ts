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
  /**
   * The lines for one record, each ending in a newline; '' for records the format skips. A
   * revocation may come with its permission's record, whose grantee it then shows too.
   */
  line(record: AuditRecord, permission?: PermissionRecord): string;
}

/**
 * JSON Lines: one object per permission
 * `{"checkpoint","id","project_id","project_name","project_status","archived","created_at"}`
 * (plus `"allowed"` when an allow-list is in force; `project_name` and `project_status` are
 * `null` when unknown, as in `list`), one per failed checkpoint
 * `{"checkpoint","error":{"status","type","message","request_id"}}`, and one per revocation.
 * Safe to print to a terminal: JSON escapes C0 controls, and {@link jsonLine} the rest.
 *
 * @example
 * ```ts
 * jsonl(false).line({ type: 'permission', checkpoint: 'ft:x', id: 'cp_1', project_id: 'proj_1', created_at: 1, allowed: undefined, project_name: 'Pilot', project_status: 'archived', archived: true });
 * // '{"checkpoint":"ft:x","id":"cp_1","project_id":"proj_1","project_name":"Pilot","project_status":"archived","archived":true,"created_at":1}\n'
 * ```
 */
export function jsonl(withAllowed: boolean): LineFormat {
  return {
    header: '',
    line(record) {
      switch (record.type) {
        case 'permission':
          return jsonLine(permissionFields(record, withAllowed));
        case 'error':
          return jsonLine({ checkpoint: record.checkpoint, error: record.error });
        case 'revocation':
          return jsonLine(revocationFields(record));
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
  'project_name',
  'project_status',
  'archived',
] as const;

/**
 * CSV (RFC 4180: CRLF line endings) with a header row: one row per permission, per revocation
 * (`revoked` is `true`, `false`, `dry-run` or `budget-exhausted`) and per failed checkpoint
 * (`error` holds the message). The grantee's `project_name` and `project_status` (empty when
 * unknown) and `archived` (`true` for a grant to an archived project) come last, so that the
 * older columns keep their places. When revoking, the audit writes a violation's row from its
 * revocation record, with its permission's grantee columns, so that each permission has one row. Cells are {@link csvCell}s, so a
 * project id such as `=cmd|"/c calc"!A1` is text to a spreadsheet, not a formula.
 *
 * @example
 * ```ts
 * csv().header; // 'checkpoint,id,project_id,created_at,allowed,revoked,error,project_name,project_status,archived\r\n'
 * ```
 */
export function csv(): LineFormat {
  return {
    header: `${CSV_COLUMNS.join(',')}${CRLF}`,
    line(record, permission) {
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
            ...granteeCells(record),
          ]);
        case 'revocation':
          return row([
            record.checkpoint,
            record.id,
            record.project_id,
            record.created_at,
            false,
            record.dryRun ? 'dry-run' : (record.reason ?? record.deleted),
            record.error?.message ?? '',
            ...granteeCells(permission),
          ]);
        case 'error':
          return row([record.checkpoint, '', '', '', '', '', errorLine(record), '', '', '']);
        default:
          return '';
      }
    },
  };
}

/** The grantee columns of CSV: name and status (empty when unknown), and the archived flag. */
function granteeCells(
  record: PermissionRecord | undefined,
): ReadonlyArray<string | boolean | undefined> {
  if (!record) return ['', '', ''];
  return [record.project_name ?? '', record.project_status ?? '', record.archived];
}

function permissionFields(record: PermissionRecord, withAllowed: boolean): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    checkpoint: record.checkpoint,
    id: record.id,
    project_id: record.project_id,
    project_name: record.project_name,
    project_status: record.project_status,
    archived: record.archived,
    created_at: record.created_at,
  };
  if (withAllowed) fields.allowed = record.allowed;
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
      ...(record.reason ? { reason: record.reason } : {}),
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

/** RFC 4180 §2.1: each record ends with CRLF. */
const CRLF = '\r\n';

function row(cells: ReadonlyArray<string | number | boolean | undefined>): string {
  return `${cells.map((cell) => csvCell(cell === undefined ? '' : String(cell))).join(',')}${CRLF}`;
}

/**
 * One CSV cell. A cell that a spreadsheet would take for a formula (it begins with `=`, `+`,
 * `-`, `@`, a tab or a CR) is neutralised as OWASP recommends against CSV injection: a single
 * quote in front, then quoted. Any cell holding a comma, quote or line break is quoted
 * (RFC 4180 §2.6–2.7). The API's ids never start with those characters, so only hostile or
 * corrupt values change.
 *
 * @see https://owasp.org/www-community/attacks/CSV_Injection
 * @example
 * ```ts
 * csvCell('proj_1'); // 'proj_1'
 * csvCell('say "hi", then'); // '"say ""hi"", then"'
 * csvCell('=cmd|"/c calc"!A1'); // '"\'=cmd|""/c calc""!A1"'
 * ```
 */
export function csvCell(text: string): string {
  const formula = /^[=+\-@\t\r]/.test(text);
  const cell = formula ? `'${text}` : text;
  return formula || /[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
}

/**
 * One JSON Lines line. `JSON.stringify` escapes C0 controls but leaves DEL, C1 controls (such as
 * the one-character CSI U+009B) and bidi overrides raw; they are escaped here too (`\u009b`), so
 * that JSONL printed to a terminal cannot drive it. The JSON parses back to the same values.
 *
 * @example
 * ```ts
 * jsonLine({ project_id: 'proj_\u202e' }); // '{"project_id":"proj_\\u202e"}\n'
 * ```
 */
export function jsonLine(value: unknown): string {
  const json = JSON.stringify(value).replace(
    /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `${json}\n`;
}

/**
 * One line of an audit's JSONL output (`audit --format jsonl`, to stdout or `--output`), read
 * back: a permission (`grant`), a failed checkpoint (`failure`), a revocation, or a record of a
 * kind this reader does not know yet (`other`: any line with a `type` field, such as metadata
 * records a later version may add), which readers skip.
 *
 * @example
 * ```ts
 * for await (const { line, record } of readAuditLines(createReadStream('audit.jsonl'), 'audit.jsonl'))
 *   if (record.kind === 'grant' && record.allowed === false) console.log(line, record.finding_id);
 * ```
 */
export type AuditLine = GrantLine | FailureLine | RevocationLine | { readonly kind: 'other' };

/** A permission, as `audit` printed it. */
export interface GrantLine {
  readonly kind: 'grant';
  readonly checkpoint: string;
  readonly id: string;
  readonly project_id: string;
  readonly created_at: number | undefined;
  /** `undefined` when the audit had no allow-list: the permission was not judged. */
  readonly allowed: boolean | undefined;
  readonly finding_id: string | undefined;
}

/** A checkpoint the audit could not read. */
export interface FailureLine {
  readonly kind: 'failure';
  readonly checkpoint: string;
  readonly message: string;
}

/** A revocation (or a dry run's would-be revocation). */
export interface RevocationLine {
  readonly kind: 'revocation';
  readonly checkpoint: string;
  readonly id: string;
  readonly project_id: string;
  readonly dry_run: boolean;
  readonly deleted: boolean;
}

/**
 * A file that is not an audit output, or one cut short mid-line: says which file and which line,
 * so that the CLI can print it as one line (exit 65).
 *
 * @example
 * ```ts
 * throw new AuditOutputError('old.jsonl', 3, 'is not JSON');
 * // message: 'old.jsonl, line 3: is not JSON'
 * ```
 */
export class AuditOutputError extends Error {
  override name = 'AuditOutputError';

  constructor(
    readonly file: string,
    readonly line: number,
    reason: string,
  ) {
    super(`${file}, line ${line}: ${reason}`);
  }
}

/**
 * Reads an audit's JSONL output as it streams in, one line at a time, so that a million-line
 * file costs one chunk of memory, not the file. A line that is not an audit record, or a last
 * line without its newline (every line `audit` writes ends in one, so the file was cut short),
 * throws an {@link AuditOutputError}. Blank lines and CRLF line ends are tolerated.
 *
 * @example
 * ```ts
 * let grants = 0;
 * for await (const { record } of readAuditLines(process.stdin, 'stdin'))
 *   if (record.kind === 'grant') grants++;
 * ```
 */
export async function* readAuditLines(
  chunks: AsyncIterable<string | Buffer>,
  file: string,
): AsyncGenerator<{ readonly line: number; readonly record: AuditLine }> {
  const decoder = new TextDecoder('utf-8');
  let rest = '';
  let line = 0;
  for await (const chunk of chunks) {
    rest += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let start = 0;
    let end: number;
    while ((end = rest.indexOf('\n', start)) !== -1) {
      line++;
      const text = rest.slice(start, end);
      start = end + 1;
      if (text.trim() !== '') yield { line, record: parseAuditLine(text, file, line) };
    }
    rest = rest.slice(start);
  }
  rest += decoder.decode();
  if (rest.trim() !== '') {
    throw new AuditOutputError(
      file,
      line + 1,
      'ends mid-line: the output was cut short (an interrupted audit?). Finish or --resume the audit, then diff again',
    );
  }
}

const NOT_AUDIT =
  'is not a line of `audit --format jsonl` output (a permission, failed checkpoint or revocation)';

/** Parses one line, strictly: anything but an audit record names its file and line. */
export function parseAuditLine(text: string, file: string, line: number): AuditLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AuditOutputError(file, line, `is not JSON: ${NOT_AUDIT}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new AuditOutputError(file, line, NOT_AUDIT);
  const o = value as Record<string, unknown>;
  if (typeof o.type === 'string') return { kind: 'other' };
  const { checkpoint } = o;
  if (typeof checkpoint !== 'string') throw new AuditOutputError(file, line, NOT_AUDIT);
  if (isObject(o.revoke)) {
    const r = o.revoke;
    if (typeof r.id === 'string' && typeof r.project_id === 'string')
      return {
        kind: 'revocation',
        checkpoint,
        id: r.id,
        project_id: r.project_id,
        dry_run: r.dry_run === true,
        deleted: r.deleted === true,
      };
  } else if (isObject(o.error)) {
    return { kind: 'failure', checkpoint, message: String(o.error.message ?? 'failed') };
  } else if (typeof o.id === 'string' && typeof o.project_id === 'string') {
    return {
      kind: 'grant',
      checkpoint,
      id: o.id,
      project_id: o.project_id,
      created_at: typeof o.created_at === 'number' ? o.created_at : undefined,
      allowed: typeof o.allowed === 'boolean' ? o.allowed : undefined,
      finding_id: typeof o.finding_id === 'string' ? o.finding_id : undefined,
    };
  }
  throw new AuditOutputError(file, line, NOT_AUDIT);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

import type { AuditRecord, PermissionRecord } from '../audit/audit-record.js';
import type { ProgressJournal } from '../audit/progress-journal.js';
import { csv, jsonl, type LineFormat } from './output/formats.js';
import type { OutputSink } from './output/sink.js';

/** What a {@link RecordWriter} writes, and where. */
export interface RecordWriterOptions {
  /** `table` and `html` write no lines: their report is rendered whole at the end. */
  readonly format: 'jsonl' | 'csv' | 'table' | 'html';
  /** JSONL lines carry `allowed` (an allow-list was given). */
  readonly withAllowed: boolean;
  /** Revoking (`--revoke`): in CSV a violation then has one row, with its revocation. */
  readonly revoke: boolean;
  readonly sink: OutputSink;
  /** Where each written page, revocation and checkpoint is committed, with the output's length. */
  readonly journal?: Pick<ProgressJournal, 'commit'> | undefined;
}

/**
 * Writes an audit's records to its output in the chosen format and commits them to the journal:
 * the record side of `audit` and `demo`, apart from the progress display. Each page's lines are
 * written in one piece and then committed with the output's length, one step at a time, so that
 * a resumed run never writes a line twice. `write` is the audit's `process` step: its promise
 * settles once the output took the text, so a slow reader holds the next page back.
 *
 * @example
 * ```ts
 * const sink = streamSink(process.stdout);
 * const writer = new RecordWriter({ format: 'jsonl', withAllowed: false, revoke: false, sink });
 * await writer.start();
 * await lastValueFrom(auditPermissions$(ids, { client, process: (r) => writer.write(r) }));
 * ```
 */
export class RecordWriter {
  readonly #options: RecordWriterOptions;
  readonly #format: LineFormat;
  /** Whether the format is written record by record (JSONL, CSV): nothing is formatted otherwise. */
  readonly #lines: boolean;
  readonly #pageLines = new Map<string, string[]>();
  // In CSV a violation has one row, written with its revocation once its fate is known; the
  // permission's own row is held back (and written only if the checkpoint fails first).
  readonly #oneRowPerViolation: boolean;
  readonly #heldBack = new Map<string, Map<string, PermissionRecord>>();
  // Writes and journal commits take turns, one at a time, so that a commit's offset is exactly the
  // end of the lines it commits, never the middle of another checkpoint's page.
  #turn = Promise.resolve();

  constructor(options: RecordWriterOptions) {
    this.#options = options;
    this.#format = options.format === 'csv' ? csv() : jsonl(options.withAllowed);
    // `table` and `html` are written whole at the end, from the records, never line by line.
    this.#lines = options.format === 'jsonl' || options.format === 'csv';
    this.#oneRowPerViolation = options.format === 'csv' && options.revoke;
  }

  /** Writes the format's header (CSV) at the top of a new output; nothing on a resumed one. */
  async start(): Promise<void> {
    const { sink } = this.#options;
    if (this.#lines && this.#format.header && sink.bytes === 0)
      await sink.write(this.#format.header);
  }

  /** Writes (or holds, until its page ends) one record, and commits what it completes. */
  async write(record: AuditRecord): Promise<void> {
    const { sink, journal } = this.#options;
    const lines = this.#lines;
    switch (record.type) {
      case 'permission': {
        if (this.#oneRowPerViolation && record.allowed === false) {
          const held = this.#heldBack.get(record.checkpoint) ?? new Map<string, PermissionRecord>();
          this.#heldBack.set(record.checkpoint, held.set(record.id, record));
          return;
        }
        if (!lines) return;
        const page = this.#pageLines.get(record.checkpoint) ?? [];
        page.push(this.#format.line(record));
        this.#pageLines.set(record.checkpoint, page);
        return;
      }
      case 'page': {
        const text = (this.#pageLines.get(record.checkpoint) ?? []).join('');
        this.#pageLines.delete(record.checkpoint);
        return this.#inTurn(async () => {
          if (lines && text) await sink.write(text);
          journal?.commit(record, sink.bytes);
        });
      }
      case 'revocation': {
        const permission = this.#heldBack.get(record.checkpoint)?.get(record.id);
        this.#heldBack.get(record.checkpoint)?.delete(record.id);
        // Committed too: a resumed run neither revokes nor reports it again.
        return this.#inTurn(async () => {
          if (lines) await sink.write(this.#format.line(record, permission));
          journal?.commit(record, sink.bytes);
        });
      }
      case 'checkpoint':
        this.#heldBack.delete(record.checkpoint);
        return this.#inTurn(() => journal?.commit(record, sink.bytes));
      case 'error': {
        const held = [...(this.#heldBack.get(record.checkpoint)?.values() ?? [])];
        this.#heldBack.delete(record.checkpoint);
        if (!lines) return;
        const text = held.map((permission) => this.#format.line(permission)).join('');
        return this.#inTurn(() => sink.write(text + this.#format.line(record)));
      }
      default:
        return;
    }
  }

  #inTurn(step: () => Promise<void> | void): Promise<void> {
    return (this.#turn = this.#turn.then(step));
  }
}

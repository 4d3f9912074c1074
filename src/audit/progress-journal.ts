import { closeSync, existsSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import type { AuditProgress } from './audit-options.js';
import type { CheckpointRecord, PageRecord, RevocationRecord, Violation } from './audit-record.js';

/**
 * What a journal knows of an earlier run: its progress, and how much output it had committed.
 *
 * @example
 * ```ts
 * const journal = ProgressJournal.open('audit.state', { resume: true });
 * truncateSync('audit.jsonl', journal.state.offset); // drop output written after the last commit
 * console.log(`${journal.state.done.size} checkpoints done`);
 * ```
 */
export interface JournalState extends AuditProgress {
  readonly done: ReadonlySet<string>;
  readonly listed: ReadonlySet<string>;
  readonly violations: Readonly<Record<string, readonly Violation[]>>;
  /** Bytes of output committed with the last entry: where a resumed run truncates its output. */
  readonly offset: number;
}

/** One line of the journal. */
interface Entry {
  readonly checkpoint: string;
  /** A page was committed; resume after this cursor. */
  readonly after?: string;
  /** The last page was committed: the listing is complete, revocations may be pending. */
  readonly listed?: true;
  /** The checkpoint is finished. */
  readonly done?: true;
  /** The violations on the committed page. */
  readonly violations?: readonly Violation[];
  /** A violation revoked (or reported, in a dry run): not to be revoked or reported again. */
  readonly revoked?: string;
  readonly offset?: number;
}

/**
 * The state file of a resumable audit: an append-only JSON-lines journal with one entry per
 * committed page (`{checkpoint, after, offset, violations}`; `listed` instead of `after` for the
 * last page), one per revocation (`{checkpoint, revoked, offset}`) and one per finished
 * checkpoint (`{checkpoint, done, offset}`). Appends are synchronous single writes, so a run killed at any
 * moment leaves at worst a partial last line, which is ignored. Commit a page only after its
 * records are written to the output; pass the output's length as `offset` so that a resumed
 * run can cut off anything written after the last commit, and no record is written twice.
 *
 * @example
 * ```ts
 * const journal = ProgressJournal.open('audit.state', { resume: true });
 * auditPermissions$(ids, { client, resume: journal.state, process: (r) => { write(r); if (r.type === 'page') journal.commit(r, written); } });
 * ```
 */
export class ProgressJournal {
  readonly state: JournalState;
  #fd: number | undefined;

  private constructor(
    readonly path: string,
    state: JournalState,
    fd: number,
  ) {
    this.state = state;
    this.#fd = fd;
  }

  /** Opens a journal: continuing an existing one with `resume`, else starting it afresh. */
  static open(path: string, { resume }: { resume: boolean }): ProgressJournal {
    let text: string | undefined;
    try {
      text = resume && existsSync(path) ? readFileSync(path, 'utf8') : undefined;
    } catch (error) {
      throw stateFileError('read', path, error);
    }
    const state = text === undefined ? emptyState() : replay(path, text);
    try {
      // A last line cut off by a kill is dropped, so that the next entry starts a line of its own.
      if (text !== undefined && !text.endsWith('\n')) {
        truncateSync(path, Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1)));
      }
      return new ProgressJournal(path, state, openSync(path, resume ? 'a' : 'w'));
    } catch (error) {
      throw stateFileError('write', path, error);
    }
  }

  /** Records that a page (and everything before it in the output) is done. */
  commit(record: PageRecord | CheckpointRecord | RevocationRecord, offset?: number): void {
    if (this.#fd === undefined) throw new Error('The journal is closed');
    writeSync(this.#fd, `${JSON.stringify(entryOf(record, offset))}\n`);
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}

function entryOf(
  record: PageRecord | CheckpointRecord | RevocationRecord,
  offset: number | undefined,
): Entry {
  const { checkpoint } = record;
  if (record.type === 'checkpoint') return { checkpoint, done: true, offset };
  if (record.type === 'revocation') return { checkpoint, revoked: record.id, offset };
  const violations = record.violations.length > 0 ? record.violations : undefined;
  return record.after === null
    ? { checkpoint, listed: true, violations, offset }
    : { checkpoint, after: record.after, violations, offset };
}

/** The file system refused the state file: a `ConfigError` with that refusal as its cause. */
function stateFileError(verb: 'read' | 'write', path: string, error: unknown): ConfigError {
  return new ConfigError(
    'state',
    `Cannot ${verb} the state file ${path}: ${(error as Error).message}`,
    {
      cause: error,
    },
  );
}

function emptyState(): JournalState {
  return { done: new Set(), listed: new Set(), cursors: {}, violations: {}, offset: 0 };
}

/** Rebuilds the progress from the journal's entries; a partial last line (a kill mid-write) is ignored. */
export function replay(path: string, text: string): JournalState {
  const done = new Set<string>();
  const listed = new Set<string>();
  const cursors: Record<string, string> = {};
  const violations: Record<string, Violation[]> = {};
  const revoked: Record<string, Set<string>> = {};
  let offset = 0;
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    let entry: Entry;
    try {
      entry = JSON.parse(line) as Entry;
    } catch {
      if (index === lines.length - 1) return; // cut off by a kill: never committed
      throw new ConfigError(
        'state',
        `${path} line ${index + 1} is not a journal entry; was it written by another program?`,
      );
    }
    const { checkpoint } = entry;
    if (typeof checkpoint !== 'string') {
      throw new ConfigError('state', `${path} line ${index + 1} names no checkpoint`);
    }
    if (entry.done) {
      done.add(checkpoint);
      listed.delete(checkpoint);
      delete cursors[checkpoint];
      delete violations[checkpoint];
      delete revoked[checkpoint];
    } else if (typeof entry.revoked === 'string') {
      (revoked[checkpoint] ??= new Set()).add(entry.revoked);
    } else {
      if (entry.listed) {
        listed.add(checkpoint);
        delete cursors[checkpoint];
      } else if (typeof entry.after === 'string') cursors[checkpoint] = entry.after;
      if (Array.isArray(entry.violations))
        (violations[checkpoint] ??= []).push(...entry.violations);
    }
    if (typeof entry.offset === 'number') offset = entry.offset;
  });
  // Violations already revoked (or reported) still count, but are not revoked or reported again.
  for (const [checkpoint, ids] of Object.entries(revoked)) {
    violations[checkpoint] = (violations[checkpoint] ?? []).map((v) =>
      ids.has(v.id) ? { ...v, revoked: true as const } : v,
    );
  }
  return { done, listed, cursors, violations, offset };
}

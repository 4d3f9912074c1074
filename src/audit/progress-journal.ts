import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import type { AuditProgress } from './audit-options.js';
import type { CheckpointRecord, PageRecord } from './audit-record.js';

/** What a journal knows of an earlier run: its progress, and how much output it had committed. */
export interface JournalState extends AuditProgress {
  readonly done: ReadonlySet<string>;
  /** Bytes of output committed with the last entry: where a resumed run truncates its output. */
  readonly offset: number;
}

interface Entry {
  readonly checkpoint: string;
  readonly after?: string;
  readonly done?: true;
  readonly offset?: number;
}

/**
 * The state file of a resumable audit: an append-only JSON-lines journal with one entry per
 * committed page (`{checkpoint, after, offset}`) and per finished checkpoint
 * (`{checkpoint, done, offset}`). Appends are synchronous single writes, so a run killed at any
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
    const state =
      resume && existsSync(path) ? replay(path, readFileSync(path, 'utf8')) : emptyState();
    try {
      return new ProgressJournal(path, state, openSync(path, resume ? 'a' : 'w'));
    } catch (error) {
      throw new ConfigError(
        'state',
        `Cannot write the state file ${path}: ${(error as Error).message}`,
      );
    }
  }

  /** Records that a page (and everything before it in the output) is done. */
  commit(record: PageRecord | CheckpointRecord, offset?: number): void {
    if (this.#fd === undefined) throw new Error('The journal is closed');
    const entry: Entry =
      record.type === 'checkpoint' || record.after === null
        ? { checkpoint: record.checkpoint, done: true, offset }
        : { checkpoint: record.checkpoint, after: record.after, offset };
    writeSync(this.#fd, `${JSON.stringify(entry)}\n`);
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}

function emptyState(): JournalState {
  return { done: new Set(), cursors: {}, offset: 0 };
}

/** Rebuilds the progress from the journal's entries; a partial last line (a kill mid-write) is ignored. */
export function replay(path: string, text: string): JournalState {
  const done = new Set<string>();
  const cursors: Record<string, string> = {};
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
    if (typeof entry.checkpoint !== 'string') {
      throw new ConfigError('state', `${path} line ${index + 1} names no checkpoint`);
    }
    if (entry.done) {
      done.add(entry.checkpoint);
      delete cursors[entry.checkpoint];
    } else if (typeof entry.after === 'string') {
      cursors[entry.checkpoint] = entry.after;
    }
    if (typeof entry.offset === 'number') offset = entry.offset;
  });
  return { done, cursors, offset };
}

import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fchmodSync,
  fsyncSync,
  openSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
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

/**
 * What defines a run, as its caller describes it (flags, digests of inputs): saved in the
 * journal's first line, so that a resumed run can be checked to be the same run.
 *
 * @example
 * ```ts
 * const run: JournalRun = { format: 'jsonl', allow: 'sha256:9f86d0…', revoke: 'off' };
 * ```
 */
export type JournalRun = Readonly<Record<string, string | number | boolean | null>>;

/** What the first line of every journal says, and the version of the format after it. */
const FORMAT = 'rx-checkpoint-permissions/journal';
const VERSION = 1;

/** The journal's first line. */
interface Header {
  readonly journal: typeof FORMAT;
  readonly version: number;
  readonly run: JournalRun;
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
 * The state file of a resumable audit: an append-only JSON-lines journal. Its first line says
 * that it is a journal and records the run (`{journal, version, run}`); then come one entry per
 * committed page (`{checkpoint, after, offset, violations}`; `listed` instead of `after` for the
 * last page), one per revocation (`{checkpoint, revoked, offset}`) and one per finished
 * checkpoint (`{checkpoint, done, offset}`). Appends are synchronous single writes, so a run
 * killed at any moment leaves at worst a partial last line, which is ignored. Commit a page only
 * after its records are written to the output; pass the output's length as `offset` so that a
 * resumed run can cut off anything written after the last commit, and no record is written twice.
 *
 * The first line is written to a temp file that is then renamed into place, so a journal never
 * lacks it; files are created `0600` (a journal names your checkpoints). An existing file that is
 * not a journal is never overwritten, nor cut, whether resuming or not.
 *
 * @example
 * ```ts
 * const journal = ProgressJournal.open('audit.state', { resume: true, run: { format: 'jsonl' } });
 * auditPermissions$(ids, { client, resume: journal.state, process: async (r) => { await write(r); if (r.type === 'page') journal.commit(r, written); } });
 * ```
 */
export class ProgressJournal {
  readonly state: JournalState;
  /**
   * The run recorded when the journal was started: the `run` given then. `undefined` for a
   * journal written before runs were recorded (version 0.1.0), which cannot tell.
   */
  readonly run: JournalRun | undefined;
  #fd: number | undefined;

  private constructor(
    readonly path: string,
    state: JournalState,
    run: JournalRun | undefined,
    fd: number,
  ) {
    this.state = state;
    this.run = run;
    this.#fd = fd;
  }

  /**
   * Opens a journal: continuing an existing one with `resume`, else starting it afresh with
   * `run` in its first line (also when there is nothing to resume). Throws a `ConfigError`
   * (option `state`) for a file that is not a journal, or one the file system refuses (then the
   * file system's error is its `cause`).
   */
  static open(
    path: string,
    { resume, run = {} }: { resume: boolean; run?: JournalRun },
  ): ProgressJournal {
    const found = existing(path);
    let text: string | undefined;
    try {
      text = found && found.stats.size > 0 ? readFileSync(found.real, 'utf8') : undefined;
    } catch (error) {
      throw stateFileError('read', path, error);
    }
    if (resume && text !== undefined) {
      const journal = parse(path, text);
      try {
        // A last line cut off by a kill is dropped, so that the next entry starts a line of its own.
        if (!text.endsWith('\n')) {
          truncateSync(found!.real, Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1)));
        }
        return new ProgressJournal(path, journal.state, journal.run, openSync(found!.real, 'a'));
      } catch (error) {
        throw stateFileError('write', path, error);
      }
    }
    if (text !== undefined && !isJournal(text)) {
      throw new ConfigError(
        'state',
        `${path} is not a state file of checkpoint-permissions (line 1 is not a journal entry): refusing to overwrite it`,
      );
    }
    const target = found?.real ?? path;
    try {
      const header: Header = { journal: FORMAT, version: VERSION, run };
      replaceAtomically(target, `${JSON.stringify(header)}\n`, found?.stats.mode);
      return new ProgressJournal(path, emptyState(), run, openSync(target, 'a', 0o600));
    } catch (error) {
      throw stateFileError('write', path, error);
    }
  }

  /** Records that a page (and everything before it in the output) is done. */
  commit(record: PageRecord | CheckpointRecord | RevocationRecord, offset?: number): void {
    if (this.#fd === undefined) throw new Error('The journal is closed');
    try {
      writeSync(this.#fd, `${JSON.stringify(entryOf(record, offset))}\n`);
    } catch (error) {
      throw stateFileError('write', this.path, error);
    }
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}

/**
 * The file at `path` and its real path (a symlink stays a symlink: its target is what is
 * replaced), or `undefined` if there is none. Anything but a regular file or a directory (whose
 * read fails with the file system's own EISDIR) is refused: a device or a pipe cannot be read back.
 */
function existing(path: string): { real: string; stats: Stats } | undefined {
  let stats: Stats;
  let real: string;
  try {
    stats = statSync(path);
    real = realpathSync(path);
  } catch (error) {
    // Not there (ENOTDIR: a part of the path is a file): creating it says why it cannot be.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw stateFileError('read', path, error);
  }
  if (!stats.isFile() && !stats.isDirectory()) {
    throw new ConfigError('state', `${path} is not a regular file: a journal must be read back`);
  }
  return { real, stats };
}

/**
 * Writes `text` to a temp file beside `target`, created `0600` (or with the mode of the file it
 * replaces, never wider), and renames it over `target`: whoever reads `target` sees the old file
 * or the whole new one, never a part.
 *
 * @example
 * ```ts
 * replaceAtomically('watch.state', JSON.stringify(state), undefined); // 0600, fsynced, renamed
 * ```
 */
export function replaceAtomically(target: string, text: string, mode: number | undefined): void {
  const temp = join(
    dirname(target),
    `.${basename(target)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`,
  );
  let fd: number | undefined;
  try {
    fd = openSync(temp, 'wx', 0o600);
    if (mode !== undefined) fchmodSync(fd, mode & 0o7777);
    const buffer = Buffer.from(text);
    for (let done = 0; done < buffer.length;)
      done += writeSync(fd, buffer, done, buffer.length - done);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, target);
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
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

/**
 * Whether a file's first line is a journal's: the header, or (in a journal written before runs
 * were recorded) an entry. Only such a file may be overwritten by a fresh journal.
 */
function isJournal(text: string): boolean {
  const end = text.indexOf('\n');
  if (end < 0) return false;
  try {
    const first = JSON.parse(text.slice(0, end)) as Partial<Header & Entry> | null;
    return first?.journal === FORMAT || typeof first?.checkpoint === 'string';
  } catch {
    return false;
  }
}

/** The run and the progress of a journal's text; see {@link replay}. */
function parse(path: string, text: string): { run: JournalRun | undefined; state: JournalState } {
  const end = text.indexOf('\n');
  let header: Partial<Header> | undefined;
  try {
    header = end < 0 ? undefined : (JSON.parse(text.slice(0, end)) as Partial<Header>);
  } catch {
    header = undefined;
  }
  if (header?.journal !== FORMAT) return { run: undefined, state: replay(path, text) };
  if (header.version !== VERSION) {
    throw new ConfigError(
      'state',
      `${path} is a journal of version ${String(header.version)}, which this version cannot read`,
    );
  }
  // The header's line is kept, blank, so that the entries keep their line numbers.
  return { run: header.run ?? {}, state: replay(path, text.slice(end)) };
}

/**
 * Rebuilds the progress from the journal's entries; a partial last line (a kill mid-write) is
 * ignored, unless it is the only line: a file without one whole line is not a journal.
 */
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
      if (index === lines.length - 1 && index > 0) return; // cut off by a kill: never committed
      throw new ConfigError(
        'state',
        index === 0
          ? `${path} is not a state file of checkpoint-permissions (line 1 is not a journal entry); was it written by another program?`
          : `${path} line ${index + 1} is not a journal entry; was it written by another program?`,
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

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ChangeState, type WatchState } from '../../audit/change-state.js';
import { replaceAtomically } from '../../audit/progress-journal.js';
import { ConfigError } from '../../errors.js';
import { cannotRead, CliError, fileErrorReason } from '../cli-error.js';
import { ExitCode } from '../exit-codes.js';

/** What the first key of a watch state file says, so that no other file is ever taken for one. */
const KIND = 'checkpoint-permissions watch state';

/**
 * What a watch watches, recorded in its state file: a restart that watches something else would
 * report the difference as changes, so it is refused.
 *
 * @example
 * ```ts
 * const scope = watchScope(false, ['ft:a', 'ft:b']); // { all: false, checkpoints: 'sha256:…' }
 * ```
 */
export interface WatchScope {
  readonly all: boolean;
  /** A digest of the sorted checkpoint ids (`null` with `--all`). */
  readonly checkpoints: string | null;
}

/** The scope of `watch [checkpoints...]` or `watch --all`. */
export function watchScope(all: boolean, checkpoints: readonly string[]): WatchScope {
  if (all) return { all, checkpoints: null };
  const digest = createHash('sha256')
    .update([...new Set(checkpoints)].sort().join('\n'))
    .digest('hex');
  return { all, checkpoints: `sha256:${digest}` };
}

/**
 * Reads the `--state` of `watch`: `undefined` when the file does not exist yet (a first run).
 * A file that is not a watch state (a journal of `audit`, anything else) is refused and never
 * overwritten (64); one that is damaged is bad data (65); one saved by a watch of other
 * checkpoints is refused (64). Each in one line naming the file and what to do.
 *
 * @example
 * ```ts
 * const saved = readWatchStateFile('watch.state', watchScope(true, []));
 * ```
 */
export function readWatchStateFile(path: string, scope: WatchScope): WatchState | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw cannotRead(path, '--state', error, ExitCode.Usage);
  }
  let parsed: { kind?: unknown; scope?: WatchScope; watch?: unknown } | undefined;
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || parsed.kind !== KIND) {
    throw new CliError(
      ExitCode.Usage,
      `${path} is not a state file of checkpoint-permissions watch: refusing to overwrite it. Give --state a new file, or delete this one.`,
    );
  }
  const saved = parsed.scope;
  if (saved?.all !== scope.all || saved.checkpoints !== scope.checkpoints) {
    const what = saved?.all
      ? 'watch --all'
      : saved
        ? 'a watch of other checkpoints'
        : 'an unknown watch';
    throw new CliError(
      ExitCode.Usage,
      `${path} was saved by ${what}: resuming it would report the difference as changes. Watch the same checkpoints as then, or give --state a new file.`,
    );
  }
  try {
    return ChangeState.restore(parsed.watch).snapshot();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new CliError(
      ExitCode.DataError,
      `${path} is damaged: ${error.message}. Delete it to start afresh with a new snapshot.`,
      { cause: error },
    );
  }
}

/**
 * Saves the state atomically (a 0600 temp file, fsynced, renamed over `path`): a kill at any
 * moment leaves the previous state or the new one, never a part.
 *
 * @example
 * ```ts
 * writeWatchStateFile('watch.state', scope, watchState);
 * ```
 */
export function writeWatchStateFile(path: string, scope: WatchScope, state: WatchState): void {
  try {
    replaceAtomically(path, `${JSON.stringify({ kind: KIND, scope, watch: state })}\n`, undefined);
  } catch (error) {
    throw new CliError(
      ExitCode.IOError,
      `Cannot write ${path}: ${fileErrorReason(error, 'no such directory')}. Check the path given to --state and the disk that holds it.`,
      { cause: error },
    );
  }
}

import { createHash } from 'node:crypto';
import type { AllowList } from '../audit/allow-list.js';
import type { JournalRun } from '../audit/progress-journal.js';
import { resolvedPath } from './state-guards.js';

/** What defines an audit run: resuming a journal with any of these changed would mix two runs. */
export interface RunDefinition {
  readonly format: string;
  /** The checkpoint ids given (arguments and `--input`). */
  readonly ids: readonly string[];
  readonly all: boolean;
  readonly allow: AllowList | undefined;
  readonly revoke: 'off' | 'dry-run' | 'apply';
  /** `--output`, or `undefined` for stdout. */
  readonly output: string | undefined;
}

/**
 * The record of a run that the journal keeps in its first line. Inputs are kept as digests
 * (sha256 of canonical JSON), so that the journal holds no list: the same ids in another order or
 * repeated, or the same allow-list written as JSON instead of lines, are the same run. The output
 * is kept as its resolved path: `./a` and `a` are the same file, the same name elsewhere is not.
 *
 * @example
 * ```ts
 * runRecord({ format: 'jsonl', ids: ['ft:b', 'ft:a'], all: false, allow: undefined, revoke: 'off', output: 'audit.jsonl' });
 * // { format: 'jsonl', checkpoints: 'sha256:…', checkpoint_count: 2, all: false, allow: null, revoke: 'off', output: '/home/me/audit.jsonl' }
 * ```
 */
export function runRecord(run: RunDefinition): JournalRun {
  const ids = sortedSet(run.ids);
  return {
    format: run.format,
    checkpoints: digest(ids),
    checkpoint_count: ids.length,
    all: run.all,
    allow: run.allow === undefined ? null : digest(canonicalAllowList(run.allow)),
    revoke: run.revoke,
    output: run.output === undefined ? null : resolvedPath(run.output),
  };
}

/**
 * How a run differs from a saved one, one phrase per difference, in the words of the flags
 * ("this run's --format is csv, the saved run's is jsonl"); empty when it is the same run.
 *
 * @example
 * ```ts
 * runDifferences({ format: 'csv' }, { format: 'jsonl' }); // ["this run's --format is csv, the saved run's is jsonl"]
 * ```
 */
export function runDifferences(run: JournalRun, saved: JournalRun): string[] {
  const keys = [...new Set([...Object.keys(run), ...Object.keys(saved)])];
  const differences: string[] = [];
  for (const key of keys) {
    const [now, then] = [run[key] ?? null, saved[key] ?? null];
    if (now === then || key === 'checkpoint_count') continue;
    differences.push(phrase(key, now, then, run, saved));
  }
  return differences;
}

type Value = string | number | boolean | null;

function phrase(key: string, now: Value, then: Value, run: JournalRun, saved: JournalRun): string {
  switch (key) {
    case 'format':
      return `this run's --format is ${now}, the saved run's is ${then}`;
    case 'checkpoints':
      return `this run's checkpoints (${ids(run)}) differ from the saved run's (${ids(saved)})`;
    case 'all':
      return `this run's --all is ${now ? 'on' : 'off'}, the saved run's is ${then ? 'on' : 'off'}`;
    case 'allow':
      if (now === null) return 'this run has no --allow, the saved run had one';
      if (then === null) return 'this run has an --allow, the saved run had none';
      return `this run's --allow list (${short(now)}) differs from the saved run's (${short(then)})`;
    case 'revoke':
      return `this run's revoke mode is ${now}, the saved run's is ${then}`;
    case 'output':
      return `this run's --output is ${now ?? 'stdout'}, the saved run's is ${then ?? 'stdout'}`;
    default:
      return `this run's ${key} is ${JSON.stringify(now)}, the saved run's is ${JSON.stringify(then)}`;
  }
}

function ids(run: JournalRun): string {
  const count = run.checkpoint_count;
  return `${typeof count === 'number' ? count : 'some'} id${count === 1 ? '' : 's'}`;
}

/** The start of a digest, enough for a person to see that two differ. */
function short(value: Value): string {
  return String(value).slice(0, 'sha256:'.length + 8);
}

function sortedSet(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

/** An allow-list as it is meant: project sets, per checkpoint, in a fixed order. */
function canonicalAllowList(allow: AllowList): unknown {
  const checkpoints = Object.entries(allow.checkpoints ?? {})
    .map(([checkpoint, projects]) => [checkpoint, sortedSet(projects)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { checkpoints, projects: sortedSet(allow.projects ?? []) };
}

function digest(value: unknown): string {
  return `sha256:${createHash('sha256').update(JSON.stringify(value)).digest('hex')}`;
}

import { realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { CliError } from './cli-error.js';
import { ExitCode } from './exit-codes.js';

/** The file flags of `audit`: what the run writes, and what it reads. */
export interface RunFiles {
  readonly state?: string;
  readonly output?: string;
  readonly input?: string;
  readonly allow?: string;
}

/** The files a run writes, each of which must be a file of its own. */
const WRITTEN = [
  ['--state', 'state'],
  ['--output', 'output'],
] as const;
/** The files a run reads. A new input file flag goes here, so that nothing ever overwrites it. */
const READ = [
  ['--input', 'input'],
  ['--allow', 'allow'],
] as const;

/**
 * Refuses (exit 64) a run that would write over one of its own files: `--state` or `--output`
 * naming the same file as each other or as an input, however spelt (`./a` and `a`, a symlink, a
 * hard link). Also refuses a `--state` that is a device or a pipe, which could never be read
 * back to resume. Checked before anything is read or written.
 *
 * @example
 * ```ts
 * checkRunFiles({ state: 'allow.json', allow: 'allow.json' });
 * // CliError(64): --state and --allow name the same file (allow.json): …
 * ```
 */
export function checkRunFiles(files: RunFiles): void {
  const written = WRITTEN.filter(([, key]) => files[key] !== undefined);
  const all = [...written, ...READ.filter(([, key]) => files[key] && files[key] !== '-')];
  written.forEach(([flag, key], index) => {
    const path = files[key]!;
    const same = all.slice(index + 1).find(([, other]) => sameFile(path, files[other]!));
    if (same) {
      throw new CliError(
        ExitCode.Usage,
        `${flag} and ${same[0]} name the same file (${files[same[1]]}): ${flag} would overwrite it. Give ${flag} a file of its own.`,
      );
    }
  });
  const stats = files.state === undefined ? undefined : statOrUndefined(files.state);
  if (stats && !stats.isFile() && !stats.isDirectory()) {
    throw new CliError(
      ExitCode.Usage,
      `--state ${files.state} is not a regular file: the journal is read back to resume. Give --state the path of a file.`,
    );
  }
}

/**
 * The absolute, real path of a file, or of where it would be: symlinks resolved, in the path's
 * directory too when the file does not exist yet.
 *
 * @example
 * ```ts
 * resolvedPath('./out/../audit.jsonl'); // '/home/me/audit.jsonl'
 * ```
 */
export function resolvedPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    try {
      return join(realpathSync(dirname(path)), basename(path));
    } catch {
      return resolve(path);
    }
  }
}

/** Two paths name one file: the same inode when it exists, else the same resolved path. */
function sameFile(a: string, b: string): boolean {
  const [sa, sb] = [statOrUndefined(a), statOrUndefined(b)];
  if (sa && sb) return sa.dev === sb.dev && sa.ino === sb.ino;
  return !sa && !sb && resolvedPath(a) === resolvedPath(b);
}

function statOrUndefined(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

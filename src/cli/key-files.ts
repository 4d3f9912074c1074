import { readFileSync, statSync } from 'node:fs';
import { cannotRead, CliError } from './cli-error.js';
import { ExitCode } from './exit-codes.js';

/** Where a key file's warnings go: one line each, ending in a newline. */
export type Warn = (line: string) => void;

/**
 * Reads the key of `--admin-key-file`: the file's text without its trailing newline (or spaces),
 * so that `echo "$KEY" > key` works. A key given in a file stays out of `ps` and of the shell's
 * history, unlike `--admin-key`. A file that group or others may read gets a one-line warning
 * ({@link warnIfShared}); the key is still used.
 *
 * @example
 * ```ts
 * const key = readKeyFile('~/.config/openai/admin-key', (line) => process.stderr.write(line));
 * ```
 */
export function readKeyFile(path: string, warn: Warn): string {
  const text = readText(path, '--admin-key-file');
  const key = text.replace(/\s+$/, '');
  if (key === '' || /[\r\n]/.test(key)) {
    throw new CliError(
      ExitCode.Config,
      `${path} ${key === '' ? 'is empty' : 'holds more than one line'}: --admin-key-file needs a file holding only the admin key.`,
    );
  }
  warnIfShared(path, warn);
  return key;
}

/** What a project id looks like: `proj_` and the id's letters, digits, `_` and `-`. */
const PROJECT_ID = /^proj_[A-Za-z0-9_-]+$/;

/**
 * Reads the file of `--project-keys`: a JSON object of project ids to their project keys,
 * `{ "proj_…": "sk-…" }`. Whatever is wrong is bad data (65), in one line naming the entry, by
 * its project id, or by its position when the name itself may be a key (a reversed entry):
 * the message never holds a key. Keys are trimmed; an admin key (`sk-admin-…`) is refused, as
 * the jobs endpoints refuse it. A file that group or others may read gets a one-line warning.
 *
 * @example
 * ```ts
 * readProjectKeys('keys.json', warn); // { proj_abc: 'sk-proj-…', proj_def: 'sk-proj-…' }
 * // keys.json: {"proj_abc": 42} -> CliError 65: keys.json: the key of proj_abc is not a string …
 * ```
 */
export function readProjectKeys(path: string, warn: Warn): Record<string, string> {
  const text = readText(path, '--project-keys');
  const bad = (what: string): CliError =>
    new CliError(
      ExitCode.DataError,
      `${path}: ${what}. --project-keys takes a JSON object of project ids to project keys, such as {"proj_abc": "sk-proj-…"}.`,
    );
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // The parser's message quotes the text around the fault, which may be a key: only where.
    const at = /position \d+/.exec((error as Error).message)?.[0];
    throw bad(`not valid JSON${at ? ` (at ${at})` : ''}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw bad(
      `holds ${Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`}, not an object`,
    );
  }
  const entries = Object.entries(value);
  if (entries.length === 0) throw bad('holds no project key');
  const keys: Record<string, string> = {};
  entries.forEach(([id, key], index) => {
    if (!PROJECT_ID.test(id)) {
      // The name may be a key (an entry written the wrong way round): never quote it.
      throw bad(
        `entry ${index + 1} is not named by a project id (proj_…)${/^sk-/.test(id) ? '; it looks like a key: is the entry the wrong way round?' : ''}`,
      );
    }
    if (typeof key !== 'string') {
      throw bad(`the key of ${id} is ${key === null ? 'null' : `a ${typeof key}`}, not a string`);
    }
    const trimmed = key.trim();
    if (trimmed === '') throw bad(`the key of ${id} is empty`);
    if (/\s/.test(trimmed)) throw bad(`the key of ${id} holds whitespace; check how it was pasted`);
    if (trimmed.startsWith('sk-admin-')) {
      throw bad(
        `the key of ${id} is an admin key; give the admin key with OPENAI_ADMIN_KEY or --admin-key-file, and each project's own key here`,
      );
    }
    keys[id] = trimmed;
  });
  warnIfShared(path, warn);
  return keys;
}

/**
 * As ssh does for private keys: a key file that group or others may read gets a one-line
 * warning through `warn`, with the command that fixes it. Anyone on the machine could take the
 * key. (Windows has no such mode bits.)
 *
 * @example
 * ```ts
 * warnIfShared('keys.json', (line) => process.stderr.write(line));
 * // checkpoint-permissions: warning: keys.json is accessible by group or others (mode 0644); … Run: chmod 600 keys.json
 * ```
 */
export function warnIfShared(path: string, warn: Warn): void {
  const mode = statSync(path).mode & 0o777;
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    warn(
      `checkpoint-permissions: warning: ${path} is accessible by group or others (mode ${mode.toString(8).padStart(4, '0')}); anyone on this machine may read the key. Run: chmod 600 ${path}\n`,
    );
  }
}

/** A file's text, or a one-line error naming the flag that gave its path (66). */
function readText(path: string, flag: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw cannotRead(path, flag, error, ExitCode.NoInput);
  }
}

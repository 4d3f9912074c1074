import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { AllowList } from '../audit/allow-list.js';
import { checkpointIdProblem, controlCharacter } from '../audit/checkpoint-ids.js';
import { cannotRead, CliError } from './cli-error.js';
import { ExitCode } from './exit-codes.js';

/**
 * Reads a list of checkpoint ids, one per line, from a file or `-` (stdin). Blank lines and
 * lines starting with `#` are skipped, and surrounding spaces trimmed (ids themselves may
 * contain spaces inside). A line holding a control character (a NUL, an escape) or bytes that
 * are not UTF-8 is refused (65), naming the line: a binary file is not a list of ids.
 *
 * @example
 * ```ts
 * await readCheckpointList('checkpoints.txt', process.stdin); // ['ft:…:ckpt-step-10', …]
 * ```
 */
export async function readCheckpointList(path: string, stdin: Readable): Promise<string[]> {
  const text = path === '-' ? await readStream(stdin) : await readInput(path, '--input');
  const source = path === '-' ? 'stdin' : path;
  return listLines(text).map(({ text: id, number }) => {
    const problem = id.includes('\uFFFD') ? 'is not UTF-8 text' : checkpointIdProblem(id);
    if (problem === undefined) return id;
    throw new CliError(
      ExitCode.DataError,
      `${source} line ${number} ${problem}: is it a binary file? --input takes one checkpoint id per line.`,
    );
  });
}

/**
 * Checks the checkpoint ids given as arguments: an empty or blank one (`audit ''`, an unset
 * shell variable) or one with a control character is a usage error (64), never a request.
 *
 * @example
 * ```ts
 * checkCheckpointArguments(['ft:a', '']); // CliError: checkpoint argument 2 is empty: …
 * ```
 */
export function checkCheckpointArguments(ids: readonly string[]): readonly string[] {
  ids.forEach((id, index) => {
    const problem = checkpointIdProblem(id);
    if (problem !== undefined)
      throw new CliError(
        ExitCode.Usage,
        `checkpoint argument ${index + 1} ${problem}: give a checkpoint id such as ft:gpt-4o-mini-2024-07-18:org:name:abc123, or leave it out.`,
      );
  });
  return ids;
}

/** The entries of a one-per-line list, with their line numbers: trimmed, blanks and `#` comments left out. */
function listLines(text: string): Array<{ text: string; number: number }> {
  return text
    .split(/\r?\n/)
    .map((line, index) => ({ text: line.trim(), number: index + 1 }))
    .filter(({ text: line }) => line !== '' && !line.startsWith('#'));
}

/** The keys of a JSON allow-list. */
const ALLOW_KEYS = ['projects', 'checkpoints'];

/**
 * Reads an allow-list: either JSON (`{"projects": [...], "checkpoints": {"ft:…": [...]}}`, or
 * a bare array of project ids) or plain text with one project id per line. Anything else is
 * bad data (65) rather than an empty allow-list: an unknown key (`projets`), a JSON scalar
 * (`null`, `42`, `"proj_a"`), a line that cannot be a project id, and an allow-list that allows
 * no project at all (`{}`, `[]`, an empty file), unless `allowEmpty` (`--allow-empty`).
 *
 * @example
 * ```ts
 * await readAllowList('allow.json'); // { projects: ['proj_platform'], checkpoints: {} }
 * ```
 */
export async function readAllowList(
  path: string,
  { allowEmpty = false }: { allowEmpty?: boolean } = {},
): Promise<AllowList> {
  const allow = parseAllowList(path, await readInput(path, '--allow'));
  const allowsSome =
    (allow.projects as string[]).length > 0 ||
    Object.values(allow.checkpoints ?? {}).some((ids) => (ids as string[]).length > 0);
  if (!allowsSome && !allowEmpty) {
    throw new CliError(
      ExitCode.DataError,
      `${path} allows no project: every permission would be a violation (and revoked, with --revoke --apply). Check the file, or pass --allow-empty if that is what you mean.`,
    );
  }
  return allow;
}

function parseAllowList(path: string, text: string): AllowList {
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (error) {
      throw new CliError(
        ExitCode.DataError,
        `${path} is not valid JSON (${(error as Error).message}); fix it or use one project id per line.`,
      );
    }
    if (Array.isArray(parsed)) return { projects: checkIds(path, 'the list', parsed) };
    const unknown = Object.keys(parsed as object).find((key) => !ALLOW_KEYS.includes(key));
    if (unknown !== undefined) {
      throw new CliError(
        ExitCode.DataError,
        `${path}: unknown key ${JSON.stringify(unknown)}; an allow-list takes "projects" and "checkpoints". Fix the key.`,
      );
    }
    const { projects = [], checkpoints = {} } = parsed as {
      projects?: unknown;
      checkpoints?: unknown;
    };
    if (
      !Array.isArray(projects) ||
      typeof checkpoints !== 'object' ||
      checkpoints === null ||
      Array.isArray(checkpoints)
    ) {
      throw new CliError(
        ExitCode.DataError,
        `${path} must look like {"projects": ["proj_…"], "checkpoints": {"ft:…": ["proj_…"]}}.`,
      );
    }
    const perCheckpoint: Record<string, string[]> = {};
    for (const [checkpoint, ids] of Object.entries(checkpoints)) {
      if (!Array.isArray(ids))
        throw new CliError(
          ExitCode.DataError,
          `${path}: checkpoints["${checkpoint}"] must be a list of project ids.`,
        );
      perCheckpoint[checkpoint] = checkIds(path, `checkpoints["${checkpoint}"]`, ids);
    }
    return { projects: checkIds(path, 'projects', projects), checkpoints: perCheckpoint };
  }
  const scalar = jsonScalar(trimmed);
  if (scalar !== undefined) {
    throw new CliError(
      ExitCode.DataError,
      `${path} holds JSON ${scalar}, not an allow-list: give {"projects": ["proj_…"]}, a JSON array of project ids, or one project id per line.`,
    );
  }
  return {
    projects: listLines(trimmed).map(({ text: id, number }) => {
      if (!/[\s"',{}[\]\uFFFD]/.test(id) && controlCharacter(id) === undefined) return id;
      throw new CliError(
        ExitCode.DataError,
        `${path} line ${number} holds ${JSON.stringify(id)}, not a project id: give one project id per line, such as proj_abc123.`,
      );
    }),
  };
}

/** The text as JSON when it is a lone JSON scalar (`null`, `42`, `"proj_a"`, `true`). */
function jsonScalar(text: string): string | undefined {
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return undefined;
  }
}

function checkIds(path: string, where: string, ids: unknown[]): string[] {
  const bad = ids.find((id) => typeof id !== 'string' || id === '');
  if (bad !== undefined)
    throw new CliError(
      ExitCode.DataError,
      `${path}: ${where} holds ${JSON.stringify(bad)}, not a project id.`,
    );
  return ids as string[];
}

async function readInput(path: string, flag: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw cannotRead(path, flag, error, ExitCode.NoInput);
  }
}

/** Reads stdin to its end; a stdin that fails (closed, EIO) is an input error, not a bug. */
async function readStream(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of stream)
      chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  } catch (error) {
    throw new CliError(
      ExitCode.NoInput,
      `Cannot read the checkpoints from stdin: ${(error as Error).message}. Pipe them in, or use --input FILE.`,
      { cause: error },
    );
  }
  return Buffer.concat(chunks).toString('utf8');
}

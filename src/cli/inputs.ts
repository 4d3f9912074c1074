import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { AllowList } from '../audit/allow-list.js';
import { CliError, fileErrorReason } from './cli-error.js';
import { ExitCode } from './exit-codes.js';

/**
 * Reads a list of checkpoint ids, one per line, from a file or `-` (stdin). Blank lines and
 * lines starting with `#` are skipped, and surrounding spaces trimmed (ids themselves may
 * contain spaces inside).
 *
 * @example
 * ```ts
 * await readCheckpointList('checkpoints.txt', process.stdin); // ['ft:…:ckpt-step-10', …]
 * ```
 */
export async function readCheckpointList(path: string, stdin: Readable): Promise<string[]> {
  const text = path === '-' ? await readStream(stdin) : await readInput(path, '--input');
  return listLines(text);
}

/** The entries of a one-per-line list: lines trimmed, blank lines and `#` comments left out. */
function listLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/**
 * Reads an allow-list: either JSON (`{"projects": [...], "checkpoints": {"ft:…": [...]}}`, or
 * a bare array of project ids) or plain text with one project id per line.
 *
 * @example
 * ```ts
 * await readAllowList('allow.json'); // { projects: ['proj_platform'], checkpoints: {} }
 * ```
 */
export async function readAllowList(path: string): Promise<AllowList> {
  const text = await readInput(path, '--allow');
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
  return { projects: listLines(trimmed) };
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
    const reason = fileErrorReason(error, 'no such file');
    throw new CliError(
      ExitCode.NoInput,
      `Cannot read ${path}: ${reason}. Check the path given to ${flag}.`,
      { cause: error },
    );
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

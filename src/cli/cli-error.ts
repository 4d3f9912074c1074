import type { ExitCode } from './exit-codes.js';

/**
 * An error meant for a human at a terminal: one line saying what is wrong and how to fix it,
 * printed without a stack trace (unless `--debug`), and the exit code to leave with.
 *
 * @example
 * ```ts
 * throw new CliError(ExitCode.NoInput, 'Cannot read checkpoints.txt: no such file. Check the path given to --input.');
 * ```
 */
export class CliError extends Error {
  override name = 'CliError';

  constructor(
    readonly exitCode: ExitCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * What a file system error says, in the words of a one-line CLI message: `missing` when the
 * path does not exist (ENOENT), else the error's own message.
 *
 * @example
 * ```ts
 * `Cannot read ${path}: ${fileErrorReason(error, 'no such file')}. Check the path given to --input.`
 * ```
 */
export function fileErrorReason(error: unknown, missing: string): string {
  return (error as NodeJS.ErrnoException).code === 'ENOENT' ? missing : (error as Error).message;
}

/**
 * The one message for a file a flag named that cannot be read: what went wrong and which flag to
 * check. Exit 66 (no input) unless the caller says otherwise.
 *
 * @example
 * ```ts
 * throw cannotRead('checkpoints.txt', '--input', error, ExitCode.NoInput);
 * // Cannot read checkpoints.txt: no such file. Check the path given to --input.
 * ```
 */
export function cannotRead(
  path: string,
  flag: string,
  error: unknown,
  exitCode: ExitCode,
): CliError {
  return new CliError(
    exitCode,
    `Cannot read ${path}: ${fileErrorReason(error, 'no such file')}. Check the path given to ${flag}.`,
    { cause: error },
  );
}

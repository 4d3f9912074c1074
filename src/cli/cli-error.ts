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

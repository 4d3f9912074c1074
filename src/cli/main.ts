import { commander } from './commander.js';
import { ExitCode } from './exit-codes.js';
import type { CliIO } from './io.js';
import { buildProgram } from './program.js';
import { terminalSafe } from './terminal-text.js';

/**
 * Runs `checkpoint-permissions` with `argv` (without the node and script paths) and returns
 * the exit code. Nothing here calls `process.exit`, so tests run it in-process.
 *
 * @example
 * ```ts
 * process.exitCode = await main(['audit', '--all', '--format', 'table'], processIO());
 * ```
 */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  let exitCode: number = ExitCode.Clean;
  let debug = argv.includes('--debug');
  const program = await buildProgram(argv, io, {
    setExit: (code) => (exitCode = code),
    setDebug: (on) => (debug = on),
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof commander.CommanderError) {
      // Help and version are not errors; everything else commander rejects is a usage error.
      return error.exitCode === 0 ? ExitCode.Clean : ExitCode.Usage;
    }
    // Imported only on the way out, so that a run that ends well never loads the error classes.
    const { describe } = await import('./describe-error.js');
    const { code, message } = describe(error);
    // The message may quote the server or the command line: shown, never obeyed, by the terminal.
    io.stderr.write(`checkpoint-permissions: ${terminalSafe(message)}\n`);
    if (debug && error instanceof Error && error.stack)
      io.stderr.write(`${error.stack.split('\n').map(terminalSafe).join('\n')}\n`);
    else if (code === ExitCode.Software)
      io.stderr.write('Run again with --debug for the stack trace.\n');
    return code;
  }
}

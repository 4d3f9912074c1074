import { Command } from '@commander-js/extra-typings';
import { VERSION } from '../client/version.js';
import { auditDefinition } from './definitions/audit.js';
import { ENVIRONMENT } from './definitions/connection.js';
import { demoDefinition } from './definitions/demo.js';
import { diffDefinition } from './definitions/diff.js';
import { emulatorDefinition } from './definitions/emulator.js';
import { listDefinition } from './definitions/list.js';
import { watchDefinition } from './definitions/watch.js';
import type { ExitCode } from './exit-codes.js';
import type { CliIO } from './io.js';
import { terminalSafe } from './terminal-text.js';

const PROGRAM_HELP = `
Examples:
  $ checkpoint-permissions demo
  $ checkpoint-permissions list ft:gpt-4o-mini-2024-07-18:acme:weather:B7R9VjQd
  $ checkpoint-permissions audit --all --allow allow.json --format table
  $ checkpoint-permissions watch --all --allow allow.json --revoke --apply
  $ checkpoint-permissions emulator --port 4010
${ENVIRONMENT}

Exit codes: 0 clean, 1 violations, 2 a checkpoint failed, 64 usage, 65 bad data, 66 no input,
70 internal error, 74 cannot write, 78 configuration (key).`;

/** What the program reports back to `main` while it runs. */
export interface ProgramHooks {
  /** The exit code of the command that ran. */
  readonly setExit: (code: ExitCode) => void;
  /** Whether `--debug` was given (stack traces of errors). */
  readonly setDebug: (on: boolean) => void;
}

/**
 * The `checkpoint-permissions` program: every command's definition (flags, help; see
 * `definitions/`) with an action that imports the command's handler only when it runs, so that
 * `--version` and `--help` load commander and these definitions, not the client, the emulator
 * or RxJS (see "CLI start-up" in docs/performance.md).
 *
 * @example
 * ```ts
 * let exit = 0;
 * const program = buildProgram(processIO(), { setExit: (code) => (exit = code), setDebug: () => {} });
 * await program.parseAsync(['demo', '--quiet'], { from: 'user' });
 * ```
 */
export function buildProgram(io: CliIO, { setExit, setDebug }: ProgramHooks) {
  const program = new Command('checkpoint-permissions')
    .description(
      'Audit which projects can use which fine-tuned checkpoints (OpenAI checkpoint permissions).',
    )
    .version(VERSION)
    .option('--debug', 'print stack traces of errors')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => void io.stdout.write(text),
      writeErr: (text) => void io.stderr.write(text),
      // One line, like every other error: commander's own would add a second for the hint (and a
      // third for a "Did you mean" suggestion). Inherited by every subcommand.
      outputError: (text, write) => write(`checkpoint-permissions: ${usageLine(text)}\n`),
    })
    // Every subcommand's help lists --debug (and --help) under "Global Options".
    .configureHelp({ showGlobalOptions: true })
    .addHelpText('after', PROGRAM_HELP)
    .hook('preAction', (command) => {
      setDebug(Boolean(command.opts().debug));
    });

  // A definition built apart from the program inherits its settings (output, exit override,
  // help) only when told to, as `program.command()` would do.
  const add = <C extends Command<unknown[], Record<string, unknown>>>(command: C): C => {
    command.copyInheritedSettings(program);
    program.addCommand(command);
    return command;
  };

  add(listDefinition()).action(async (checkpoint, flags) => {
    const { listCommand } = await import('./commands/list.js');
    setExit(await listCommand(checkpoint, flags, io));
  });
  add(auditDefinition()).action(async (ids, flags) => {
    const { auditCommand } = await import('./commands/audit.js');
    setExit(await auditCommand(ids, flags, io));
  });
  add(watchDefinition()).action(async (ids, flags) => {
    const { watchCommand } = await import('./commands/watch.js');
    setExit(await watchCommand(ids, flags, io));
  });
  add(diffDefinition()).action(async (old, next, flags) => {
    const { diffCommand } = await import('./commands/diff.js');
    setExit(await diffCommand(old, next, flags, io));
  });
  add(emulatorDefinition()).action(async (flags) => {
    const { emulatorCommand } = await import('./commands/emulator.js');
    setExit(await emulatorCommand(flags, io));
  });
  add(demoDefinition()).action(async (flags) => {
    const { demoCommand } = await import('./commands/demo.js');
    setExit(await demoCommand(flags, io));
  });
  return program;
}

/** Commander's message for two options declared to conflict (`Option#conflicts`). */
const CONFLICT = /^error: option '(-[\w-]+)[^']*' cannot be used with option '(-[\w-]+)[^']*'$/;

/**
 * Commander's usage error in our words, one line: two conflicting options as `Give --a or --b,
 * not both.` (the flags a user typed, without commander's `<value>` placeholders), anything
 * else as commander says it, with where to look. Commander hands `outputError` only the text,
 * so the conflict is recognised by it; specs pin the result (spec/cli/conflicts.spec.ts), and a
 * commander that words it otherwise still prints its own line, exit 64.
 *
 * @example
 * ```ts
 * usageLine("error: option '--input <file>' cannot be used with option '--all'\n");
 * // 'Give --input or --all, not both.'
 * ```
 */
export function usageLine(text: string): string {
  const conflict = CONFLICT.exec(text.trim());
  if (conflict) return `Give ${conflict[1]} or ${conflict[2]}, not both.`;
  return `${oneLine(text)} (run with --help for usage)`;
}

/**
 * Commander's error text as one line: without its `error: ` prefix, line breaks folded, and
 * whatever it quotes from the command line shown {@link terminalSafe}.
 */
function oneLine(text: string): string {
  return terminalSafe(
    text
      .trim()
      .replace(/^error: /, '')
      .replace(/\s*\n\s*/g, ' '),
  );
}

import type { Command } from '@commander-js/extra-typings';
import { VERSION } from '../client/version.js';
import { commander } from './commander.js';
import type { ExitCode } from './exit-codes.js';
import { ENVIRONMENT, SUMMARY } from './help-text.js';
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

/** A command as the program knows it before it is needed. */
export interface CommandEntry {
  /**
   * Its line in the program's list of commands, as commander would write it from the
   * definition: the name, `[options]`, the arguments (spec/cli/start-up.spec.ts pins the two
   * equal).
   */
  readonly term: string;
  /** Its definition, with the action that imports its handler and runs it. */
  readonly load: (io: CliIO, setExit: (code: ExitCode) => void) => Promise<Command>;
}

/**
 * Every command, by name. Each definition (`definitions/`) is imported only when its command is
 * named on the command line, and each handler (`commands/`) only when its command runs.
 */
export const COMMANDS = {
  list: {
    term: 'list [options] <checkpoint>',
    load: async (io, setExit) =>
      (await import('./definitions/list.js')).listDefinition().action(async (checkpoint, flags) => {
        const { listCommand } = await import('./commands/list.js');
        setExit(await listCommand(checkpoint, flags, io));
      }) as unknown as Command,
  },
  audit: {
    term: 'audit [options] [checkpoints...]',
    load: async (io, setExit) =>
      (await import('./definitions/audit.js')).auditDefinition().action(async (ids, flags) => {
        const { auditCommand } = await import('./commands/audit.js');
        setExit(await auditCommand(ids, flags, io));
      }) as unknown as Command,
  },
  watch: {
    term: 'watch [options] [checkpoints...]',
    load: async (io, setExit) =>
      (await import('./definitions/watch.js')).watchDefinition().action(async (ids, flags) => {
        const { watchCommand } = await import('./commands/watch.js');
        setExit(await watchCommand(ids, flags, io));
      }) as unknown as Command,
  },
  diff: {
    term: 'diff [options] <old> <new>',
    load: async (io, setExit) =>
      (await import('./definitions/diff.js')).diffDefinition().action(async (old, next, flags) => {
        const { diffCommand } = await import('./commands/diff.js');
        setExit(await diffCommand(old, next, flags, io));
      }) as unknown as Command,
  },
  emulator: {
    term: 'emulator [options]',
    load: async (io, setExit) =>
      (await import('./definitions/emulator.js')).emulatorDefinition().action(async (flags) => {
        const { emulatorCommand } = await import('./commands/emulator.js');
        setExit(await emulatorCommand(flags, io));
      }) as unknown as Command,
  },
  demo: {
    term: 'demo [options]',
    load: async (io, setExit) =>
      (await import('./definitions/demo.js')).demoDefinition().action(async (flags) => {
        const { demoCommand } = await import('./commands/demo.js');
        setExit(await demoCommand(flags, io));
      }) as unknown as Command,
  },
} as const satisfies Record<keyof typeof SUMMARY, CommandEntry>;

type CommandName = keyof typeof COMMANDS;

/**
 * The `checkpoint-permissions` program for `argv`: the definition of the command `argv` names
 * (`audit …`, `help audit`), and for every other command a stand-in that only names and
 * describes it, so that `--help` loads commander and this module, not the definitions, the
 * client, the emulator or RxJS (see "CLI start-up" in docs/performance.md).
 *
 * @example
 * ```ts
 * let exit = 0;
 * const argv = ['demo', '--quiet'];
 * const program = await buildProgram(argv, processIO(), {
 *   setExit: (code) => (exit = code),
 *   setDebug: () => {},
 * });
 * await program.parseAsync(argv, { from: 'user' });
 * ```
 */
export async function buildProgram(
  argv: readonly string[],
  io: CliIO,
  { setExit, setDebug }: ProgramHooks,
) {
  const program = new commander.Command('checkpoint-permissions')
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
    // Every subcommand's help lists --debug (and --help) under "Global Options". A stand-in
    // has no options or arguments: its line in the list of commands is its entry's `term`.
    .configureHelp({
      showGlobalOptions: true,
      subcommandTerm: (command) =>
        isCommandName(command.name())
          ? COMMANDS[command.name() as CommandName].term
          : commander.Help.prototype.subcommandTerm.call(undefined, command),
    })
    .addHelpText('after', PROGRAM_HELP)
    .hook('preAction', (command) => {
      setDebug(Boolean(command.opts().debug));
    });

  const named = commandNamed(argv);
  for (const name of Object.keys(COMMANDS) as CommandName[]) {
    // A definition built apart from the program inherits its settings (output, exit override,
    // help) only when told to, as `program.command()` would do.
    const command =
      name === named
        ? await COMMANDS[name].load(io, setExit)
        : new commander.Command(name).description(SUMMARY[name]);
    command.copyInheritedSettings(program as unknown as Command);
    program.addCommand(command);
  }
  return program;
}

/**
 * The command `argv` names: its first word that is not a flag (the program's own flags take no
 * value), or the one after `help`.
 */
function commandNamed(argv: readonly string[]): CommandName | undefined {
  const [first, second] = argv.filter((word) => !word.startsWith('-'));
  const name = first === 'help' ? second : first;
  return name !== undefined && isCommandName(name) ? name : undefined;
}

function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(COMMANDS, name);
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

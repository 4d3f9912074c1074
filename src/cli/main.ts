import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { VERSION } from '../client/version.js';
import { APIError, CheckpointPermissionsError, ConfigError, ProtocolError } from '../errors.js';
import { CliError } from './cli-error.js';
import { auditCommand, type AuditFlags } from './commands/audit.js';
import { demoCommand, type DemoFlags } from './commands/demo.js';
import { diffCommand, type DiffFlags } from './commands/diff.js';
import { emulatorCommand, type EmulatorFlags } from './commands/emulator.js';
import { listCommand, type ListFlags } from './commands/list.js';
import { ExitCode } from './exit-codes.js';
import type { CliIO } from './io.js';

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
  const program = buildProgram(
    io,
    (code) => (exitCode = code),
    (on) => (debug = on),
  );
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are not errors; everything else commander rejects is a usage error.
      return error.exitCode === 0 ? ExitCode.Clean : ExitCode.Usage;
    }
    const { code, message } = describe(error);
    io.stderr.write(`checkpoint-permissions: ${message}\n`);
    if (debug && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    else if (code === ExitCode.Software)
      io.stderr.write('Run again with --debug for the stack trace.\n');
    return code;
  }
}

/** The exit code and the one line to print for an error that ended the run. */
function describe(error: unknown): { code: ExitCode; message: string } {
  if (error instanceof CliError) return { code: error.exitCode, message: error.message };
  if (error instanceof ConfigError) {
    return {
      code: error.option === 'apiKey' ? ExitCode.Config : ExitCode.Usage,
      message: error.message,
    };
  }
  if (error instanceof APIError) {
    const hint =
      error.status === 401 || error.status === 403
        ? ' Check the key: the permissions endpoints need an admin key.'
        : '';
    return {
      code:
        error.status === 401 || error.status === 403 ? ExitCode.Config : ExitCode.CheckpointFailed,
      message: `${error.message}.${hint}`,
    };
  }
  if (error instanceof ProtocolError) {
    // Most often not the API misbehaving but a URL that leads to some other server.
    return {
      code: ExitCode.CheckpointFailed,
      message: `${error.message}. Check that --base-url (or OPENAI_BASE_URL) points at the OpenAI API.`,
    };
  }
  if (error instanceof CheckpointPermissionsError)
    return { code: ExitCode.CheckpointFailed, message: error.message };
  return {
    code: ExitCode.Software,
    message: `unexpected error: ${error instanceof Error ? error.message : String(error)}`,
  };
}

function buildProgram(
  io: CliIO,
  setExit: (code: number) => void,
  setDebug: (on: boolean) => void,
): Command {
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
      outputError: (text, write) =>
        write(`checkpoint-permissions: ${oneLine(text)} (run with --help for usage)\n`),
    })
    .hook('preAction', (command) => setDebug(Boolean(command.opts<{ debug?: boolean }>().debug)));

  const connection = (command: Command): Command =>
    command
      .option(
        '--base-url <url>',
        'API root (default: $OPENAI_BASE_URL or https://api.openai.com/v1)',
      )
      .option(
        '--api-key <key>',
        'admin API key (default: $OPENAI_ADMIN_KEY, then $OPENAI_API_KEY)',
      );

  connection(
    program
      .command('list')
      .description('list the permissions of one checkpoint, one JSON line (or CSV row) each')
      .argument('<checkpoint>', 'checkpoint id, e.g. ft:gpt-4o-mini-2024-07-18:org:name:abc123')
      .option('--project-id <id>', 'only this project’s permission')
      .addOption(
        new Option('--order <order>', 'created_at order').choices(['ascending', 'descending']),
      )
      .option('--limit <n>', 'permissions per page', positiveInteger)
      .option('--max-pages <n>', 'stop after this many pages', positiveInteger)
      .addOption(
        new Option('--format <format>', 'output format').choices(['jsonl', 'csv']).default('jsonl'),
      ),
  ).action(async (checkpoint: string, flags: ListFlags) =>
    setExit(await listCommand(checkpoint, flags, io)),
  );

  connection(
    program
      .command('audit')
      .description(
        'audit many checkpoints: every permission, violations of an allow-list, failures',
      )
      .argument('[checkpoints...]', 'checkpoint ids')
      .option('--input <file>', 'read checkpoint ids from a file, one per line (- for stdin)')
      .option('--all', 'audit every checkpoint of every fine-tuning job of the organization')
      .addOption(
        new Option('--format <format>', 'output format')
          .choices(['jsonl', 'csv', 'table', 'html'])
          .default('jsonl'),
      )
      .option(
        '--concurrency <n>',
        'checkpoints (and requests) in flight at once',
        positiveInteger,
        8,
      )
      .option('--limit <n>', 'permissions per page', positiveInteger, 100)
      .option(
        '--rpm <n>',
        'cap on requests per minute (default: learned from the API’s rate-limit headers)',
        positiveInteger,
      )
      .option(
        '--allow <file>',
        'allow-list: JSON {"projects":[…],"checkpoints":{…}} or one project id per line',
      )
      .option('--revoke', 'revoke permissions outside the allow-list (a dry run unless --apply)')
      .option('--apply', 'with --revoke: really delete them')
      .option('--state <file>', 'save progress to this file, to resume an interrupted audit')
      .option('--resume', 'continue the audit saved in --state')
      .option(
        '--output <file>',
        'write the report to a file instead of stdout (exact resume after a kill)',
      )
      .option('--fail-fast', 'stop at the first checkpoint that fails')
      .option('--quiet', 'no progress bar, no summary on stderr'),
  ).action(async (ids: string[], flags: AuditFlags) => setExit(await auditCommand(ids, flags, io)));

  program
    .command('diff')
    .description('what changed between two audits (JSONL outputs): grants, violations, checkpoints')
    .argument('<old>', 'the earlier audit’s JSONL output (a file)')
    .argument('<new>', 'the later audit’s JSONL output (a file, or - for stdin)')
    .addOption(
      new Option('--format <format>', 'output format')
        .choices(['table', 'markdown', 'jsonl', 'html'])
        .default('table'),
    )
    .action(async (old: string, next: string, flags: DiffFlags) =>
      setExit(await diffCommand(old, next, flags, io)),
    );

  program
    .command('emulator')
    .description('serve a local OpenAI API emulator (no key, no network) until Ctrl-C')
    .option('--port <n>', 'TCP port on 127.0.0.1 (0: any free one)', port, 4010)
    .option('--seed <n>', 'seed of the generated organization and of chaos', integer, 1)
    .option('--rpm <n>', 'rate limit in requests per minute', positiveInteger)
    .option('--burst <n>', 'rate-limit burst (default: one second’s worth)', positiveInteger)
    .option(
      '--chaos <p>',
      'probability of a fault per request, spread over every fault kind',
      probability,
    )
    .option('--latency <ms>', 'latency added to every request', nonNegativeInteger)
    .option('--dataset <file>', 'serve this dataset (JSON) instead of a generated organization')
    .option('--jobs <n>', 'fine-tuning jobs in the generated organization', positiveInteger)
    .option('--checkpoints-per-job <n>', 'checkpoints per generated job', positiveInteger)
    .action(async (flags: EmulatorFlags) => setExit(await emulatorCommand(flags, io)));

  program
    .command('demo')
    .description('audit a seeded organization on the built-in emulator: no key, no network')
    .option('--seed <n>', 'seed of the organization', integer, 7)
    .option('--quiet', 'no progress bar')
    .action(async (flags: DemoFlags) => setExit(await demoCommand(flags, io)));

  return program;
}

/** Commander's error text as one line: without its `error: ` prefix, line breaks folded. */
function oneLine(text: string): string {
  return text
    .trim()
    .replace(/^error: /, '')
    .replace(/\s*\n\s*/g, ' ');
}

function integer(text: string): number {
  if (!/^-?\d+$/.test(text.trim())) throw new InvalidArgumentError('expected an integer.');
  return Number(text);
}

function positiveInteger(text: string): number {
  const n = integer(text);
  if (n < 1) throw new InvalidArgumentError('expected an integer of at least 1.');
  return n;
}

function nonNegativeInteger(text: string): number {
  const n = integer(text);
  if (n < 0) throw new InvalidArgumentError('expected an integer of at least 0.');
  return n;
}

function port(text: string): number {
  const n = nonNegativeInteger(text);
  if (n > 65_535) throw new InvalidArgumentError('expected a port from 0 to 65535.');
  return n;
}

function probability(text: string): number {
  const n = Number(text);
  if (!/^\s*\d*\.?\d+\s*$/.test(text) || n > 1)
    throw new InvalidArgumentError('expected a probability from 0 to 1, e.g. 0.2.');
  return n;
}

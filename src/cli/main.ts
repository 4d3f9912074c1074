import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { VERSION } from '../client/version.js';
import {
  APIConnectionError,
  APIError,
  CheckpointPermissionsError,
  ConfigError,
  ProtocolError,
} from '../errors.js';
import { formatDuration } from '../emulator/duration.js';
import { parseDuration } from '../http/duration.js';
import { CliError } from './cli-error.js';
import { auditCommand, type AuditFlags } from './commands/audit.js';
import { demoCommand, type DemoFlags } from './commands/demo.js';
import { diffCommand, type DiffFlags } from './commands/diff.js';
import { emulatorCommand, type EmulatorFlags } from './commands/emulator.js';
import { listCommand, type ListFlags } from './commands/list.js';
import { watchCommand, type WatchFlags } from './commands/watch.js';
import { ExitCode } from './exit-codes.js';
import type { CliIO } from './io.js';
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
    // The message may quote the server or the command line: shown, never obeyed, by the terminal.
    io.stderr.write(`checkpoint-permissions: ${terminalSafe(message)}\n`);
    if (debug && error instanceof Error && error.stack)
      io.stderr.write(`${error.stack.split('\n').map(terminalSafe).join('\n')}\n`);
    else if (code === ExitCode.Software)
      io.stderr.write('Run again with --debug for the stack trace.\n');
    return code;
  }
}

/** The client options that are keys: a missing or bad one is a configuration problem (78). */
const KEY_OPTIONS = /^(adminAPIKey|apiKey|projectKeys)\b/;

/**
 * The exit code and the one line to print for an error that ended the run. A library error's
 * message is a sentence without its final period (see `errors.ts`): it gets exactly one here.
 */
function describe(error: unknown): { code: ExitCode; message: string } {
  if (error instanceof CliError) return { code: error.exitCode, message: error.message };
  if (error instanceof ConfigError) {
    return {
      code: KEY_OPTIONS.test(error.option) ? ExitCode.Config : ExitCode.Usage,
      message: `${error.message}.`,
    };
  }
  if (error instanceof APIConnectionError && error.request) {
    // Which server could not be reached is the first thing to check.
    const { method, url } = error.request;
    return { code: ExitCode.CheckpointFailed, message: `${error.message} (${method} ${url}).` };
  }
  if (error instanceof APIError) {
    const hint =
      error.status === 401 || error.status === 403
        ? ' Check the key: the permission endpoints need an admin key (OPENAI_ADMIN_KEY), the jobs endpoints a project key.'
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
    return { code: ExitCode.CheckpointFailed, message: `${error.message}.` };
  return {
    code: ExitCode.Software,
    message: `unexpected error: ${error instanceof Error ? error.message : String(error)}`,
  };
}

/** The variables every API command reads, as `--help` lists them. */
const ENVIRONMENT = `
Environment:
  OPENAI_ADMIN_KEY   the admin key: checkpoint permissions, projects, audit log (needed)
  OPENAI_API_KEY     one project key: the fine-tuning jobs of its project (for --all)
Keys given as flags show in ps to other users: prefer these variables, --admin-key-file
and --project-keys (files readable by you only: chmod 600).
  OPENAI_BASE_URL    the API root (default https://api.openai.com/v1)
  OPENAI_ORG_ID      sent as OpenAI-Organization
  OPENAI_PROJECT_ID  sent as OpenAI-Project
  OPENAI_RATE_LIMIT_REDIS_URL  a Redis that shares one rate budget between processes (--redis-url)`;

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

const LIST_HELP = `
Examples:
  $ checkpoint-permissions list ft:gpt-4o-mini-2024-07-18:acme:weather:B7R9VjQd
  $ checkpoint-permissions list ft:gpt-4o-mini-2024-07-18:acme:weather:B7R9VjQd --format csv > permissions.csv
  $ checkpoint-permissions list ft:gpt-4o-mini-2024-07-18:acme:weather:B7R9VjQd --admin-key-file ~/.openai-admin-key
${ENVIRONMENT}`;

const AUDIT_HELP = `
Examples:
  $ checkpoint-permissions audit --all --project-keys project-keys.json --format table
  $ checkpoint-permissions audit --input checkpoints.txt --allow allow.json > report.jsonl
  $ checkpoint-permissions audit --all --allow allow.json --revoke            # dry run
  $ checkpoint-permissions audit --all --allow allow.json --revoke --apply    # really revoke
  $ checkpoint-permissions audit --all --state audit.state --output report.jsonl --resume
${ENVIRONMENT}`;

const WATCH_HELP = `
Examples:
  $ checkpoint-permissions watch --all --allow allow.json
  $ checkpoint-permissions watch --all --allow allow.json --revoke --apply --state watch.state
  $ checkpoint-permissions watch --input checkpoints.txt --interval 30s --webhook "$SLACK_WEBHOOK_URL"
  $ checkpoint-permissions watch --all --metrics-port 9464
${ENVIRONMENT}`;

const EMULATOR_HELP = `
Examples:
  $ checkpoint-permissions emulator --port 4010 --seed 7
  $ checkpoint-permissions emulator --rpm 600 --chaos 0.1 --latency 50

Environment: none; it prints the OPENAI_BASE_URL and OPENAI_ADMIN_KEY that point a client at it,
and writes its project keys to a file (mode 600) for --project-keys.`;

const DEMO_HELP = `
Examples:
  $ checkpoint-permissions demo
  $ checkpoint-permissions demo --seed 42 --quiet

Environment: none; no key and no network needed.`;

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
    // Every subcommand's help lists --debug (and --help) under "Global Options".
    .configureHelp({ showGlobalOptions: true })
    .addHelpText('after', PROGRAM_HELP)
    .hook('preAction', (command) => {
      setDebug(Boolean(command.opts<{ debug?: boolean }>().debug));
    });

  const connection = (command: Command): Command =>
    command
      .option(
        '--base-url <url>',
        'API root (default: $OPENAI_BASE_URL or https://api.openai.com/v1)',
      )
      .option(
        '--admin-key-file <file>',
        'read the admin key from this file (chmod 600): unlike --admin-key, not shown by ps',
      )
      .option(
        '--admin-key <key>',
        'admin key; visible to other users in ps: prefer $OPENAI_ADMIN_KEY or --admin-key-file',
      )
      .option(
        '--api-key <key>',
        'one project key, for its jobs (--all); shown by ps: prefer $OPENAI_API_KEY',
      )
      .option(
        '--project-keys <file>',
        'JSON {"proj_…": "sk-…"} of project keys (chmod 600): --all reads these projects’ jobs',
      )
      .option(
        '--timeout <duration>',
        'how long one attempt may take before it is retried: 30s, 2m, 500ms; a bare number is ms',
        duration(1, 3_600_000),
      )
      .option(
        '--max-retries <n>',
        'retries of a failed request after its first attempt, 0 to 100',
        intInRange(0, 100),
      )
      .option(
        '--redis-url <url>',
        'share one rate budget with other processes through this Redis (default: $OPENAI_RATE_LIMIT_REDIS_URL)',
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
      .option('--limit <n>', 'permissions per page, 1 to 100', intInRange(1, 100))
      .option('--max-pages <n>', 'stop after this many pages', intInRange(1, 1_000_000))
      .addOption(
        new Option('--format <format>', 'output format').choices(['jsonl', 'csv']).default('jsonl'),
      )
      .addHelpText('after', LIST_HELP),
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
      .option(
        '--all',
        'audit every checkpoint the keys can find: the audit log, and the jobs of projects with a key',
      )
      .addOption(
        new Option('--format <format>', 'output format')
          .choices(['jsonl', 'csv', 'table', 'html'])
          .default('jsonl'),
      )
      .option(
        '--concurrency <n>',
        'checkpoints (and requests) in flight at once, 1 to 256',
        intInRange(1, 256),
        8,
      )
      .option('--limit <n>', 'permissions per page, 1 to 100', intInRange(1, 100), 100)
      .option(
        '--rpm <n>',
        'cap on requests per minute (default: learned from the API’s rate-limit headers)',
        intInRange(1, 1_000_000),
      )
      .option(
        '--allow <file>',
        'allow-list: JSON {"projects":[…],"checkpoints":{…}} or one project id per line',
      )
      .option('--allow-empty', 'accept an --allow that allows no project (all are violations)')
      .option('--revoke', 'revoke permissions outside the allow-list (a dry run unless --apply)')
      .option('--apply', 'with --revoke: really delete them')
      .option(
        '--max-revocations <n>',
        'with --revoke --apply: delete at most this many, 1 to 1000000 (default 100)',
        intInRange(1, 1_000_000),
      )
      .option('--state <file>', 'save progress to this file, to resume an interrupted audit')
      .option('--resume', 'continue the audit saved in --state')
      .option(
        '--output <file>',
        'write the report to a file instead of stdout (exact resume after a kill)',
      )
      .option('--fail-fast', 'stop at the first checkpoint that fails')
      .option('--quiet', 'no progress bar, no summary on stderr')
      .addHelpText('after', AUDIT_HELP),
  ).action(async (ids: string[], flags: AuditFlags) => setExit(await auditCommand(ids, flags, io)));

  connection(
    program
      .command('watch')
      .description(
        'follow permission changes as they happen (audit log), one JSON line each, until Ctrl-C',
      )
      .argument('[checkpoints...]', 'checkpoint ids')
      .option('--input <file>', 'read checkpoint ids from a file, one per line (- for stdin)')
      .option('--all', 'watch every checkpoint of the organization')
      .option(
        '--allow <file>',
        'allow-list: JSON {"projects":[…],"checkpoints":{…}} or one project id per line',
      )
      .option('--allow-empty', 'accept an --allow that allows no project (all are violations)')
      .option('--revoke', 'revoke grants outside the allow-list (a dry run unless --apply)')
      .option('--apply', 'with --revoke: really delete them')
      .option(
        '--max-revocations <n>',
        'with --revoke --apply: delete at most this many, 1 to 1000000 (default 100)',
        intInRange(1, 1_000_000),
      )
      .option(
        '--interval <duration>',
        'time between polls of the audit log: 30s, 5m; 10ms to 1h',
        duration(10, 3_600_000),
        60_000,
      )
      .option(
        '--resync <duration>',
        'time between full listings that repair what the log missed: 1h; 10ms to 7 days',
        duration(10, 7 * 86_400_000),
        3_600_000,
      )
      .option(
        '--state <file>',
        'save the position and the permissions here, to resume after a restart',
      )
      .option(
        '--webhook <url>',
        'POST each violation, enforcement and error as JSON (Slack-compatible)',
      )
      .option(
        '--metrics-port <n>',
        'serve /metrics and /healthz on this port (0: any free one)',
        intInRange(0, 65_535),
      )
      .option('--metrics-host <host>', 'address of the metrics server', '127.0.0.1')
      .option('--quiet', 'no progress line and no notes on stderr')
      .addHelpText('after', WATCH_HELP),
  ).action(async (ids: string[], flags: WatchFlags) => setExit(await watchCommand(ids, flags, io)));

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
    .option('--port <n>', 'TCP port on 127.0.0.1 (0: any free one)', intInRange(0, 65_535), 4010)
    .option('--seed <n>', 'seed of the generated organization and of chaos', seed, 1)
    .option('--rpm <n>', 'rate limit in requests per minute', intInRange(1, 1_000_000))
    .option(
      '--burst <n>',
      'rate-limit burst (default: one second’s worth)',
      intInRange(1, 1_000_000),
    )
    .option(
      '--chaos <p>',
      'probability of a fault per request, spread over every fault kind',
      probability,
    )
    .option('--latency <ms>', 'latency added to every request, ms', intInRange(0, 60_000))
    .option('--dataset <file>', 'serve this dataset (JSON) instead of a generated organization')
    .option('--jobs <n>', 'fine-tuning jobs in the generated organization', intInRange(1, 10_000))
    .option('--checkpoints-per-job <n>', 'checkpoints per generated job', intInRange(1, 1_000))
    .addHelpText('after', EMULATOR_HELP)
    .action(async (flags: EmulatorFlags) => setExit(await emulatorCommand(flags, io)));

  program
    .command('demo')
    .description('audit a seeded organization on the built-in emulator: no key, no network')
    .option('--seed <n>', 'seed of the organization', seed, 7)
    .option('--quiet', 'no progress bar')
    .addHelpText('after', DEMO_HELP)
    .action(async (flags: DemoFlags) => setExit(await demoCommand(flags, io)));

  return program;
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

/**
 * The parser of an integer flag that accepts `min` to `max`: anything else (not an integer,
 * `1e20`, out of range) is a usage error that states the range. A bound on every number keeps
 * `--limit 99999999999999999999` from reaching the API as `1e20`.
 *
 * @example
 * ```ts
 * new Option('--concurrency <n>').argParser(intInRange(1, 256));
 * intInRange(1, 100)('500'); // InvalidArgumentError: expected an integer from 1 to 100.
 * ```
 */
export function intInRange(min: number, max: number): (text: string) => number {
  const range = `from ${min} to ${max}`;
  return (text) => {
    const n = Number(text.trim());
    if (!/^-?\d+$/.test(text.trim()) || n < min || n > max)
      throw new InvalidArgumentError(`expected an integer ${range}.`);
    return n;
  };
}

/** Emulator seeds are 32-bit: the emulator's PRNG takes `seed >>> 0`. */
const seed = intInRange(0, 4_294_967_295);

/**
 * The parser of a duration flag, in ms: `30s`, `1m30s`, `500ms` (Go's syntax, as in OpenAI's
 * rate-limit headers), or a bare number of ms; from `minMs` to `maxMs`.
 *
 * @example
 * ```ts
 * duration(1, 3_600_000)('2m'); // 120000
 * duration(1, 3_600_000)('1500'); // 1500
 * ```
 */
export function duration(minMs: number, maxMs: number): (text: string) => number {
  return (text) => {
    const trimmed = text.trim();
    const ms = /^\d+$/.test(trimmed) ? Number(trimmed) : parseDuration(trimmed);
    if (ms === undefined || !Number.isFinite(ms) || ms < minMs || ms > maxMs) {
      throw new InvalidArgumentError(
        `expected a duration from ${formatDuration(minMs)} to ${formatDuration(maxMs)}, such as 30s, 2m or 500ms (a bare number is ms).`,
      );
    }
    return Math.ceil(ms);
  };
}

function probability(text: string): number {
  const n = Number(text);
  if (!/^\s*\d*\.?\d+\s*$/.test(text) || n > 1)
    throw new InvalidArgumentError('expected a probability from 0 to 1, e.g. 0.2.');
  return n;
}

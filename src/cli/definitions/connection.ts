import { Option, type Command, type OptionValues } from '@commander-js/extra-typings';
import { duration, intInRange } from '../flag-parsers.js';

/**
 * Adds the connection flags every API command takes (`list`, `audit`, `watch`) to `command`,
 * typed: the command's `opts()` gains them, so no command writes their types by hand.
 *
 * @example
 * ```ts
 * import { Command } from '@commander-js/extra-typings';
 * const list = withConnection(new Command('list'));
 * const timeout: number | undefined = list.opts().timeout;
 * ```
 */
export function withConnection<
  Args extends unknown[],
  Opts extends OptionValues,
  GlobalOpts extends OptionValues,
>(command: Command<Args, Opts, GlobalOpts>): Command<Args, Opts & ConnectionOpts, GlobalOpts> {
  // Typed through a concrete command: the generic chain's inferred type costs tsc minutes to
  // write into the .d.ts, this one nothing; at run time it is the same command.
  return connectionOptions(command as unknown as Command) as unknown as Command<
    Args,
    Opts & ConnectionOpts,
    GlobalOpts
  >;
}

/** The connection flags as commander parses them (`--base-url` … `--redis-url`). */
export type ConnectionOpts = ReturnType<ReturnType<typeof connectionOptions>['opts']>;

function connectionOptions(command: Command) {
  return command
    .option('--base-url <url>', 'API root (default: $OPENAI_BASE_URL or https://api.openai.com/v1)')
    .option(
      '--admin-key-file <file>',
      'read the admin key from this file (chmod 600): unlike --admin-key, not shown by ps',
    )
    .addOption(
      new Option(
        '--admin-key <key>',
        'admin key; visible to other users in ps: prefer $OPENAI_ADMIN_KEY or --admin-key-file',
      ).conflicts('adminKeyFile'),
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
}

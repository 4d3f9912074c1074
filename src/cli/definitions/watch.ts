import { Command, Option } from '@commander-js/extra-typings';
import { duration, intInRange } from '../flag-parsers.js';
import { ENVIRONMENT, SUMMARY } from '../help-text.js';
import { withConnection } from './connection.js';

/**
 * Where the metrics server listens unless `--metrics-host` says otherwise: implied by
 * `--metrics-port` rather than a default of `--metrics-host`, so that a `--metrics-host` given
 * without a port can be told apart, and refused (flag-requirements.ts).
 */
const METRICS_HOST = '127.0.0.1';

const WATCH_HELP = `
Examples:
  $ checkpoint-permissions watch --all --allow allow.json
  $ checkpoint-permissions watch --all --allow allow.json --revoke --apply --state watch.state
  $ checkpoint-permissions watch --input checkpoints.txt --interval 30s --webhook "$SLACK_WEBHOOK_URL"
  $ checkpoint-permissions watch --all --metrics-port 9464
${ENVIRONMENT}`;

/**
 * `checkpoint-permissions watch [checkpoints...]`: its arguments, flags and help, without its
 * handler (`commands/watch.ts`, imported only when the command runs).
 *
 * @example
 * ```ts
 * const watch = watchDefinition();
 * watch.parse(['--all', '--interval', '30s'], { from: 'user' });
 * watch.opts().interval; // 30000
 * ```
 */
export function watchDefinition() {
  return withConnection(
    new Command('watch')
      .description(SUMMARY.watch)
      .argument('[checkpoints...]', 'checkpoint ids')
      .addOption(
        new Option(
          '--input <file>',
          'read checkpoint ids from a file, one per line (- for stdin)',
        ).conflicts('all'),
      )
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
      .addOption(
        new Option(
          '--metrics-port <n>',
          'serve /metrics and /healthz on this port (0: any free one)',
        )
          .argParser(intInRange(0, 65_535))
          .implies({ metricsHost: METRICS_HOST }),
      )
      .option('--metrics-host <host>', `address of the metrics server (default: "${METRICS_HOST}")`)
      .option('--quiet', 'no progress line and no notes on stderr'),
  ).addHelpText('after', WATCH_HELP);
}

/** The flags of `checkpoint-permissions watch`, as commander parses them. */
export type WatchFlags = ReturnType<ReturnType<typeof watchDefinition>['opts']>;

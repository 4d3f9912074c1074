import { Command, Option } from '@commander-js/extra-typings';
import { intInRange } from '../flag-parsers.js';
import { ENVIRONMENT, SUMMARY } from '../help-text.js';
import { withConnection } from './connection.js';

const AUDIT_HELP = `
Examples:
  $ checkpoint-permissions audit --all --project-keys project-keys.json --format table
  $ checkpoint-permissions audit --input checkpoints.txt --allow allow.json > report.jsonl
  $ checkpoint-permissions audit --all --allow allow.json --revoke            # dry run
  $ checkpoint-permissions audit --all --allow allow.json --revoke --apply    # really revoke
  $ checkpoint-permissions audit --all --state audit.state --output report.jsonl --resume
${ENVIRONMENT}`;

/**
 * `checkpoint-permissions audit [checkpoints...]`: its arguments, flags and help, without its
 * handler (`commands/audit.ts`, imported only when the command runs).
 *
 * @example
 * ```ts
 * const audit = auditDefinition();
 * audit.parse(['--all', '--concurrency', '4'], { from: 'user' });
 * audit.opts().concurrency; // 4
 * ```
 */
export function auditDefinition() {
  return withConnection(
    new Command('audit')
      .description(SUMMARY.audit)
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
      .option('--quiet', 'no progress bar, no summary on stderr'),
  ).addHelpText('after', AUDIT_HELP);
}

/** The flags of `checkpoint-permissions audit`, as commander parses them. */
export type AuditFlags = ReturnType<ReturnType<typeof auditDefinition>['opts']>;

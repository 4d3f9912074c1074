import { Command, Option } from '@commander-js/extra-typings';
import { intInRange } from '../flag-parsers.js';
import { ENVIRONMENT, SUMMARY } from '../help-text.js';
import { withConnection } from './connection.js';

const LIST_HELP = `
Examples:
  $ checkpoint-permissions list ft:gpt-4o-mini-2024-07-18:acme:weather:B7R9VjQd
  $ checkpoint-permissions list ft:gpt-4o-mini-2024-07-18:acme:weather:B7R9VjQd --format csv > permissions.csv
  $ checkpoint-permissions list ft:gpt-4o-mini-2024-07-18:acme:weather:B7R9VjQd --admin-key-file ~/.openai-admin-key
${ENVIRONMENT}`;

/**
 * `checkpoint-permissions list <checkpoint>`: its argument, flags and help, without its handler
 * (`commands/list.ts`, imported only when the command runs).
 *
 * @example
 * ```ts
 * const list = listDefinition();
 * list.parse(['ft:x', '--format', 'csv'], { from: 'user' });
 * list.opts().format; // 'csv'
 * ```
 */
export function listDefinition() {
  return withConnection(
    new Command('list')
      .description(SUMMARY.list)
      .argument('<checkpoint>', 'checkpoint id, e.g. ft:gpt-4o-mini-2024-07-18:org:name:abc123')
      .option('--project-id <id>', 'only this project’s permission')
      .addOption(
        new Option('--order <order>', 'created_at order').choices(['ascending', 'descending']),
      )
      .option('--limit <n>', 'permissions per page, 1 to 100', intInRange(1, 100))
      .option('--max-pages <n>', 'stop after this many pages', intInRange(1, 1_000_000))
      .addOption(
        new Option('--format <format>', 'output format').choices(['jsonl', 'csv']).default('jsonl'),
      ),
  ).addHelpText('after', LIST_HELP);
}

/** The flags of `checkpoint-permissions list`, as commander parses them. */
export type ListFlags = ReturnType<ReturnType<typeof listDefinition>['opts']>;

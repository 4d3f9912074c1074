import { Command } from '@commander-js/extra-typings';
import { seed } from '../flag-parsers.js';
import { SUMMARY } from '../help-text.js';

const DEMO_HELP = `
Examples:
  $ checkpoint-permissions demo
  $ checkpoint-permissions demo --seed 42 --quiet

Environment: none; no key and no network needed.`;

/**
 * `checkpoint-permissions demo`: its flags and help, without its handler (`commands/demo.ts`,
 * imported only when the command runs).
 *
 * @example
 * ```ts
 * const demo = demoDefinition();
 * demo.parse(['--seed', '42'], { from: 'user' });
 * demo.opts().seed; // 42
 * ```
 */
export function demoDefinition() {
  return new Command('demo')
    .description(SUMMARY.demo)
    .option('--seed <n>', 'seed of the organization', seed, 7)
    .option('--quiet', 'no progress bar')
    .addHelpText('after', DEMO_HELP);
}

/** The flags of `checkpoint-permissions demo`, as commander parses them. */
export type DemoFlags = ReturnType<ReturnType<typeof demoDefinition>['opts']>;

import { Command, Option } from '@commander-js/extra-typings';
import { SUMMARY } from '../help-text.js';

/**
 * `checkpoint-permissions diff <old> <new>`: its arguments and flags, without its handler
 * (`commands/diff.ts`, imported only when the command runs).
 *
 * @example
 * ```ts
 * const diff = diffDefinition();
 * diff.parse(['old.jsonl', 'new.jsonl', '--format', 'markdown'], { from: 'user' });
 * diff.opts().format; // 'markdown'
 * ```
 */
export function diffDefinition() {
  return new Command('diff')
    .description(SUMMARY.diff)
    .argument('<old>', 'the earlier audit’s JSONL output (a file)')
    .argument('<new>', 'the later audit’s JSONL output (a file, or - for stdin)')
    .addOption(
      new Option('--format <format>', 'output format')
        .choices(['table', 'markdown', 'jsonl', 'html'])
        .default('table'),
    );
}

/** The flags of `checkpoint-permissions diff`, as commander parses them. */
export type DiffFlags = ReturnType<ReturnType<typeof diffDefinition>['opts']>;

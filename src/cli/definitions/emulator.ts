import { Command, Option } from '@commander-js/extra-typings';
import { intInRange, probability, seed } from '../flag-parsers.js';
import { SUMMARY } from '../help-text.js';

const EMULATOR_HELP = `
Examples:
  $ checkpoint-permissions emulator --port 4010 --seed 7
  $ checkpoint-permissions emulator --rpm 600 --chaos 0.1 --latency 50

Environment: none; it prints the OPENAI_BASE_URL and OPENAI_ADMIN_KEY that point a client at it,
and writes its project keys to a file (mode 600) for --project-keys.`;

/**
 * `checkpoint-permissions emulator`: its flags and help, without its handler
 * (`commands/emulator.ts`, imported only when the command runs). `--dataset` conflicts with
 * `--jobs` and `--checkpoints-per-job`: a dataset is served as it is, not generated.
 *
 * @example
 * ```ts
 * const emulator = emulatorDefinition();
 * emulator.parse(['--port', '0', '--chaos', '0.1'], { from: 'user' });
 * emulator.opts().chaos; // 0.1
 * ```
 */
export function emulatorDefinition() {
  return new Command('emulator')
    .description(SUMMARY.emulator)
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
    .addOption(
      new Option(
        '--dataset <file>',
        'serve this dataset (JSON) instead of a generated organization',
      ).conflicts(['jobs', 'checkpointsPerJob']),
    )
    .option('--jobs <n>', 'fine-tuning jobs in the generated organization', intInRange(1, 10_000))
    .option('--checkpoints-per-job <n>', 'checkpoints per generated job', intInRange(1, 1_000))
    .addHelpText('after', EMULATOR_HELP);
}

/** The flags of `checkpoint-permissions emulator`, as commander parses them. */
export type EmulatorFlags = ReturnType<ReturnType<typeof emulatorDefinition>['opts']>;

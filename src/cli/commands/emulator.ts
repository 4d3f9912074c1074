import {
  chaosEverywhere,
  formatEmulatorBanner,
  startEmulator,
  type EmulatorOptions,
} from '../../emulator/index.js';
import { CliError } from '../cli-error.js';
import { ExitCode } from '../exit-codes.js';
import { howToRun } from '../invocation.js';
import type { CliIO } from '../io.js';
import { OutputClosedError, streamSink } from '../output/sink.js';

/** The flags of `checkpoint-permissions emulator`. */
export interface EmulatorFlags {
  readonly port: number;
  readonly seed: number;
  readonly rpm?: number;
  readonly burst?: number;
  readonly chaos?: number;
  readonly latency?: number;
  readonly dataset?: string;
  readonly jobs?: number;
  readonly checkpointsPerJob?: number;
}

/** The emulator options a set of flags asks for; shared with `demo`. */
export function emulatorOptions(flags: Partial<EmulatorFlags>): EmulatorOptions {
  const options: EmulatorOptions = {};
  if (flags.port !== undefined) options.port = flags.port;
  if (flags.seed !== undefined) options.seed = flags.seed;
  if (flags.rpm !== undefined) {
    options.rateLimit = {
      requestsPerMinute: flags.rpm,
      ...(flags.burst !== undefined ? { burst: flags.burst } : {}),
    };
  }
  if (flags.chaos !== undefined) options.chaos = chaosEverywhere(flags.chaos);
  if (flags.latency !== undefined) options.latencyMs = flags.latency;
  if (flags.dataset !== undefined) options.dataset = flags.dataset;
  if (flags.jobs !== undefined || flags.checkpointsPerJob !== undefined) {
    options.organization = {
      ...(flags.jobs !== undefined ? { jobs: flags.jobs } : {}),
      ...(flags.checkpointsPerJob !== undefined
        ? { checkpointsPerJob: flags.checkpointsPerJob }
        : {}),
    };
  }
  return options;
}

/**
 * `checkpoint-permissions emulator`: serves the local OpenAI emulator until Ctrl-C, printing
 * where it listens and the key it accepts.
 */
export async function emulatorCommand(flags: EmulatorFlags, io: CliIO): Promise<ExitCode> {
  let emulator;
  try {
    emulator = await startEmulator(emulatorOptions(flags));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'EADDRINUSE'
        ? `port ${flags.port} is already in use; pick another with --port`
        : (error as Error).message;
    throw new CliError(
      code === 'EADDRINUSE' ? ExitCode.Config : ExitCode.DataError,
      `Cannot start the emulator: ${reason}.`,
      {
        cause: error,
      },
    );
  }
  // Through a sink, whose error listener stays: `emulator | head -1` must not die of EPIPE.
  // A reader that left is no reason to stop serving.
  const stdout = streamSink(io.stdout);
  const interrupted = io.interrupted();
  await stdout
    .write(`${bannerWithHint(formatEmulatorBanner(emulator))}Press Ctrl-C to stop.\n`)
    .catch((error: unknown) => {
      if (!(error instanceof OutputClosedError)) throw error;
    });
  const signal = await interrupted;
  await stdout.close();
  await emulator.close();
  io.stderr.write(`Emulator stopped (${signal}).\n`);
  return ExitCode.Clean;
}

/**
 * The banner's closing hint, `… checkpoint-permissions …`, as a command that works where the
 * tool runs (in a clone the binary is not on the PATH).
 */
function bannerWithHint(banner: string): string {
  return banner.replace(/checkpoint-permissions …$/m, howToRun('audit --all'));
}

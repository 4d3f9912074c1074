import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatEmulatorBanner } from '../../emulator/banner.js';
import { chaosEverywhere } from '../../emulator/faults/chaos.js';
import { startEmulator } from '../../emulator/http/server.js';
import type { EmulatorOptions } from '../../emulator/options.js';
import { CliError } from '../cli-error.js';
import { checkRateLimitFlags } from '../flag-requirements.js';
import { ExitCode } from '../exit-codes.js';
import { howToRun } from '../invocation.js';
import type { CliIO } from '../io.js';
import { OutputClosedError, streamSink } from '../output/sink.js';
import type { EmulatorFlags } from '../definitions/emulator.js';

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
 * where it listens, its admin key and project keys (the emulator's own, not secrets), and the
 * file it wrote them to for `--project-keys` (mode 600, in a fresh private directory, removed
 * when it stops).
 */
export async function emulatorCommand(flags: EmulatorFlags, io: CliIO): Promise<ExitCode> {
  checkRateLimitFlags(flags);
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
  const keysFile = writeProjectKeys(emulator.projectKeys);
  try {
    // Through a sink, whose error listener stays: `emulator | head -1` must not die of EPIPE.
    // A reader that left is no reason to stop serving.
    const stdout = streamSink(io.stdout);
    const interrupted = io.interrupted();
    await stdout
      .write(`${bannerWithHint(formatEmulatorBanner(emulator), keysFile)}Press Ctrl-C to stop.\n`)
      .catch((error: unknown) => {
        if (!(error instanceof OutputClosedError)) throw error;
      });
    const signal = await interrupted;
    await stdout.close();
    await emulator.close();
    io.stderr.write(`Emulator stopped (${signal}).\n`);
    return ExitCode.Clean;
  } finally {
    if (keysFile) rmSync(keysFile.dir, { recursive: true, force: true });
  }
}

/** The emulator's project keys, written for `--project-keys`: mode 600 in a 700 directory. */
function writeProjectKeys(
  keys: Readonly<Record<string, string>>,
): { dir: string; path: string } | undefined {
  if (Object.keys(keys).length === 0) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'checkpoint-permissions-emulator-'));
  const path = join(dir, 'project-keys.json');
  writeFileSync(path, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  return { dir, path };
}

/**
 * The banner with the project keys file, and its closing hint, `… checkpoint-permissions …`,
 * as a command that works where the tool runs (in a clone the binary is not on the PATH) and
 * reads every project key from that file (rather than one from OPENAI_API_KEY).
 *
 * @example
 * ```ts
 * import { formatEmulatorBanner } from '../../emulator/banner.js';
 * bannerWithHint(formatEmulatorBanner(emulator), { path: '/tmp/x/project-keys.json' });
 * // …'Project keys file: /tmp/x/project-keys.json (mode 600, removed when the emulator stops)'…
 * // …'OPENAI_BASE_URL=… OPENAI_ADMIN_KEY=… npx tsx src/cli/bin.ts audit --all --project-keys /tmp/x/project-keys.json'
 * ```
 */
export function bannerWithHint(banner: string, keysFile: { path: string } | undefined): string {
  if (!keysFile) return banner.replace(/checkpoint-permissions …$/m, howToRun('audit --all'));
  const path = shellWord(keysFile.path);
  return banner
    .replace(
      /^(Stats: .*)$/m,
      `Project keys file: ${path} (mode 600, removed when the emulator stops)\n$1`,
    )
    .replace(
      /(?: OPENAI_API_KEY=\S+)? checkpoint-permissions …$/m,
      ` ${howToRun(`audit --all --project-keys ${path}`)}`,
    );
}

/** A path as one shell word: quoted when it holds anything but safe characters. */
function shellWord(text: string): string {
  return /^[\w./:@%+=,-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}

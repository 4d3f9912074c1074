import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { watchPeakRss } from './memory.js';

/** The built CLI, as `npm install` would give it to a user. */
export const CLI_BIN = fileURLToPath(new URL('../../dist/cli/bin.js', import.meta.url));

/** How the CLI is run and how slowly its output is read. */
export interface CliRun {
  readonly url: string;
  readonly apiKey: string;
  readonly checkpoints: readonly string[];
  readonly concurrency: number;
  readonly limit: number;
  /** The reader's speed: a chunk of n bytes takes n / bytesPerMs ms to "process". */
  readonly bytesPerMs: number;
  readonly pollMs: number;
}

export interface CliRunResult {
  readonly peakRss: number;
  readonly bytes: number;
  readonly lines: number;
  readonly wallMs: number;
  readonly exitCode: number | null;
}

/**
 * Runs `node dist/cli/bin.js audit … --format jsonl` into a pipe that is read slowly, as
 * `checkpoint-permissions audit … | slow-tool` would be, and follows the CLI's peak RSS from
 * `/proc`. The reader stops pulling while it "processes" a chunk, so the pipe fills and the CLI's
 * writes must wait: if the CLI kept fetching meanwhile, its memory would grow with the audit.
 *
 * @throws if the CLI has not been built (`npm run build`).
 */
export async function runCliIntoSlowPipe(run: CliRun): Promise<CliRunResult> {
  if (!existsSync(CLI_BIN)) {
    throw new Error(`${CLI_BIN} is missing: run \`npm run build\` before the memory scenario`);
  }
  const args = [
    CLI_BIN,
    'audit',
    ...run.checkpoints,
    ...['--base-url', run.url, '--admin-key', run.apiKey],
    ...['--concurrency', String(run.concurrency), '--limit', String(run.limit)],
    ...['--format', 'jsonl', '--quiet'],
  ];
  const start = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const peak = watchPeakRss(child.pid ?? -1, run.pollMs);
  const exited = once(child, 'exit');
  let bytes = 0;
  let lines = 0;
  const slowReader = new Writable({
    highWaterMark: 16 * 1024,
    write(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      for (const byte of chunk) if (byte === 0x0a) lines++;
      setTimeout(done, chunk.length / run.bytesPerMs);
    },
  });
  await pipeline(child.stdout, slowReader);
  const [exitCode] = (await exited) as [number | null];
  return { peakRss: peak(), bytes, lines, wallMs: performance.now() - start, exitCode };
}

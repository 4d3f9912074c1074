import { SingleBar } from 'cli-progress';
import type { Writable } from 'node:stream';
import type { Client } from '../client/create-client.js';

/** What the progress line shows. */
export interface ProgressView {
  /** Grows as checkpoints are discovered (with `--all`). */
  addTotal(n: number): void;
  checkpointDone(): void;
  permissions(n: number): void;
  stop(): void;
}

/**
 * A progress bar on stderr (cli-progress): checkpoints done/total, permissions, requests per
 * second, retries, 429s and ETA. Only when stderr is a terminal and not `--quiet`: piped or
 * logged stderr stays clean.
 *
 * @example
 * ```ts
 * const progress = progressBar(process.stderr, client, !quiet);
 * ```
 */
export function progressBar(
  stream: Writable & { isTTY?: boolean },
  client: Client,
  enabled: boolean,
): ProgressView {
  if (!enabled || !stream.isTTY) {
    return {
      addTotal: () => undefined,
      checkpointDone: () => undefined,
      permissions: () => undefined,
      stop: () => undefined,
    };
  }
  const started = performance.now();
  const baseline = client.metrics();
  const bar = new SingleBar({
    stream: stream as NodeJS.WritableStream,
    format:
      '{bar} {value}/{total} checkpoints | {permissions} permissions | {rps} req/s | {retries} retries | {rateLimited} × 429 | ETA {eta_formatted}',
    hideCursor: true,
    clearOnComplete: false,
    fps: 10,
    etaBuffer: 50,
  });
  let started$ = false;
  let total = 0;
  let done = 0;
  let permissions = 0;
  // Counters are the client's since the bar appeared: requests made before (setup) do not count.
  const payload = (): Record<string, string | number> => {
    const m = client.metrics();
    const seconds = (performance.now() - started) / 1000;
    const requests = m.requests - baseline.requests;
    return {
      permissions,
      rps: seconds > 0 ? (requests / seconds).toFixed(1) : '0',
      retries: m.retries - baseline.retries,
      rateLimited: m.rateLimited - baseline.rateLimited,
    };
  };
  // The bar appears once there is a total to show, not as an empty 0/0.
  const render = (): void => {
    if (!started$) {
      bar.start(total, done, payload());
      started$ = true;
    } else bar.update(done, payload());
  };
  return {
    addTotal(n) {
      total += n;
      if (started$) bar.setTotal(total);
      else if (total > 0) render();
    },
    checkpointDone() {
      done++;
      render();
    },
    permissions(n) {
      permissions += n;
      if (started$) render();
    },
    stop() {
      if (!started$) return;
      render();
      bar.stop();
    },
  };
}

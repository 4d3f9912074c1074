import { SingleBar } from 'cli-progress';
import type { Writable } from 'node:stream';
import type { Subscription } from 'rxjs';
import type { Client, ClientMetrics } from '../client/create-client.js';
import type { RetryEvent } from '../internal/retry/plan-retry.js';
import { terminalSafe } from './terminal-text.js';

/** What the progress line shows. */
export interface ProgressView {
  /** Grows as checkpoints are discovered (with `--all`). */
  addTotal(n: number): void;
  checkpointDone(): void;
  permissions(n: number): void;
  stop(): void;
}

/** How long nothing may move before the progress line says what it is waiting for. */
export const STALL_MS = 5000;

/** What the bar knows when it looks for a reason to be stuck. */
export interface Stall {
  /** Wall-clock ms now, and when the audit last moved (a page, a checkpoint, a new total). */
  readonly now: number;
  readonly since: number;
  readonly metrics: Pick<ClientMetrics, 'limiter'>;
  /** The latest retry, and when (wall clock) it was decided. */
  readonly retry: { readonly event: RetryEvent; readonly at: number } | undefined;
}

/**
 * What a progress line stuck for {@link STALL_MS} or more is waiting for, from the client's
 * metrics and retry events; '' while things move. A rate-limit pause says when it ends; a
 * backoff says what it retries and why; otherwise, how long the requests in flight have gone
 * unanswered. Times are the local wall clock, HH:MM:SS.
 *
 * @example
 * ```ts
 * waitingNote({ now, since: now - 12_000, metrics: client.metrics(), retry: undefined });
 * // ' | waiting for the API: 2 requests in flight, nothing back for 12 s (since 12:03:04)'
 * ```
 */
export function waitingNote(stall: Stall): string {
  const { now, since, metrics, retry } = stall;
  if (now - since < STALL_MS) return '';
  const { pausedForMs, active } = metrics.limiter;
  if (pausedForMs > 0) return ` | paused by rate limit until ${clock(now + pausedForMs)}`;
  if (retry && retry.at + retry.event.delayMs > now) {
    const what = retry.event.checkpoint ? ` ${terminalSafe(retry.event.checkpoint)}` : '';
    return ` | retrying${what} at ${clock(retry.at + retry.event.delayMs)} (attempt ${retry.event.attempt}: ${terminalSafe(retry.event.reason)})`;
  }
  const seconds = Math.floor((now - since) / 1000);
  const requests = active === 1 ? '1 request' : `${active} requests`;
  return ` | waiting for the API: ${requests} in flight, nothing back for ${seconds} s (since ${clock(since)})`;
}

/** Local wall-clock time, HH:MM:SS. */
function clock(ms: number): string {
  return new Date(ms).toTimeString().slice(0, 8);
}

/**
 * A progress bar on stderr (cli-progress): checkpoints done/total, permissions, requests per
 * second, retries, 429s and ETA, and, when nothing has moved for a few seconds, what it is
 * waiting for ({@link waitingNote}). Only when stderr is a terminal and not `--quiet`: piped or
 * logged stderr stays clean.
 *
 * @example
 * ```ts
 * const progress = progressBar(process.stderr, client, !quiet);
 * ```
 */
export function progressBar(
  stream: Writable & { isTTY?: boolean },
  client: Pick<Client, 'metrics' | 'events$'>,
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
      '{bar} {value}/{total} checkpoints | {permissions} permissions | {rps} req/s | {retries} retries | {rateLimited} × 429 | ETA {eta_formatted}{waiting}',
    hideCursor: true,
    clearOnComplete: false,
    fps: 10,
    etaBuffer: 50,
  });
  let started$ = false;
  let total = 0;
  let done = 0;
  let permissions = 0;
  let moved = Date.now();
  let retry: Stall['retry'];
  const retries: Subscription = client.events$.subscribe((event) => {
    if (event.type === 'retry') retry = { event, at: Date.now() };
  });
  // Redraws while nothing moves, so that a stall shows up (and its seconds count).
  const ticker = setInterval(() => started$ && render(), 1000);
  ticker.unref();
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
      waiting: waitingNote({ now: Date.now(), since: moved, metrics: m, retry }),
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
      moved = Date.now();
      total += n;
      if (started$) bar.setTotal(total);
      else if (total > 0) render();
    },
    checkpointDone() {
      moved = Date.now();
      done++;
      render();
    },
    permissions(n) {
      moved = Date.now();
      permissions += n;
      if (started$) render();
    },
    stop() {
      clearInterval(ticker);
      retries.unsubscribe();
      if (!started$) return;
      render();
      bar.stop();
    },
  };
}

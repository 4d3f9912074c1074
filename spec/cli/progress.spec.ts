import { PassThrough } from 'node:stream';
import { Subject } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ClientEvent, ClientMetrics } from '../../src/client/create-client.js';
import { progressBar, STALL_MS } from '../../src/cli/progress.js';

/** A client as the bar sees it: metrics we set, and retry events we emit. */
function fakeClient() {
  const limiter = { active: 0, pausedForMs: 0 };
  const events$ = new Subject<ClientEvent>();
  const metrics = (): ClientMetrics =>
    ({
      requests: 0,
      retries: 0,
      rateLimited: 0,
      waitedMs: 0,
      retryBudget: undefined,
      limiter: { ...limiter, queued: 0, requests: 0, rateLimited: 0, waitedMs: 0 },
    }) as unknown as ClientMetrics;
  return { limiter, events$, client: { metrics, events$: events$.asObservable() } };
}

/** A terminal: what was written, and the last line drawn (after the last carriage return). */
function fakeTTY() {
  let written = '';
  const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 400 });
  stream.on('data', (chunk: Buffer) => (written += chunk.toString('utf8')));
  return {
    stream,
    written: () => written,
    // Cursor moves and clears are escape sequences; the drawn text is what follows the last one.
    lastLine: () =>
      written
        // eslint-disable-next-line no-control-regex -- control characters are what this matches
        .split(/\r|\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]/)
        .filter((s) => s.trim())
        .at(-1) ?? '',
  };
}

const clock = (ms: number): string => new Date(ms).toTimeString().slice(0, 8);
const T0 = new Date(2026, 0, 15, 12, 3, 4).getTime();

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Lets the stream deliver what the bar wrote. */
const flush = async (): Promise<void> => {
  await vi.advanceTimersByTimeAsync(0);
};

describe('the progress line says what a stalled audit waits for (on a terminal)', () => {
  it('requests in flight and nothing back: how long, and since when', async () => {
    const { client, limiter } = fakeClient();
    const tty = fakeTTY();
    const bar = progressBar(tty.stream, client, true);
    bar.addTotal(3);
    vi.advanceTimersByTime(1000);
    bar.checkpointDone();
    limiter.active = 2;
    await vi.advanceTimersByTimeAsync(STALL_MS - 1000);
    expect(tty.lastLine()).not.toContain('waiting');
    await vi.advanceTimersByTimeAsync(12_000 - (STALL_MS - 1000));
    await flush();
    expect(tty.lastLine()).toContain(
      `| waiting for the API: 2 requests in flight, nothing back for 12 s (since ${clock(T0 + 1000)})`,
    );
    bar.permissions(100); // it moves again: the note goes
    await vi.advanceTimersByTimeAsync(1000);
    expect(tty.lastLine()).toContain('| 100 permissions');
    expect(tty.lastLine()).not.toContain('waiting');
    bar.stop();
  });

  it('a rate-limit pause: until when', async () => {
    const { client, limiter } = fakeClient();
    const tty = fakeTTY();
    const bar = progressBar(tty.stream, client, true);
    bar.addTotal(1);
    limiter.pausedForMs = 30_000;
    await vi.advanceTimersByTimeAsync(6000);
    expect(tty.lastLine()).toContain(`| paused by rate limit until ${clock(T0 + 36_000)}`);
    bar.stop();
  });

  it('a backoff: which checkpoint, when, and why, shown escaped', async () => {
    const { client, events$ } = fakeClient();
    const tty = fakeTTY();
    const bar = progressBar(tty.stream, client, true);
    bar.addTotal(1);
    await vi.advanceTimersByTimeAsync(2000);
    events$.next({
      type: 'retry',
      checkpoint: 'ft:evil\x1b]0;PWNED\x07',
      attempt: 3,
      delayMs: 8000,
      reason: 'status 503',
      status: 503,
      requestID: undefined,
      error: undefined,
    });
    await vi.advanceTimersByTimeAsync(5000);
    expect(tty.lastLine()).toContain(
      `| retrying ft:evil\\x1b]0;PWNED\\x07 at ${clock(T0 + 10_000)} (attempt 3: status 503)`,
    );
    expect(tty.written()).not.toContain('\x07');
    bar.stop();
  });

  it('off a terminal, or with --quiet, nothing is written', async () => {
    const { client, limiter } = fakeClient();
    limiter.active = 1;
    for (const [isTTY, enabled] of [
      [false, true],
      [true, false],
    ] as const) {
      const tty = fakeTTY();
      tty.stream.isTTY = isTTY;
      const bar = progressBar(tty.stream, client, enabled);
      bar.addTotal(2);
      await vi.advanceTimersByTimeAsync(20_000);
      bar.stop();
      await flush();
      expect(tty.written()).toBe('');
    }
  });
});

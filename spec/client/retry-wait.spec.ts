import { firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, type LimiterStore, type RetryEvent } from '../../src/index.js';
import { MemoryStore } from '../../src/internal/schedule/store/memory-store.js';
import type { RequestSpec } from '../../src/internal/http/send-request.js';
import { ManualScheduler } from '../support/manual-scheduler.js';
import { json, startScriptedServer, type ScriptedServer } from '../support/scripted-server.js';
import { waitFor } from '../support/wait-for.js';

const echo: RequestSpec<unknown> = { method: 'GET', path: '/echo', parse: (body) => body };

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/**
 * One request against a server that answers the first attempt with `first` (a 429) and the next
 * with a 200, the client's clock virtual: returns the retry event and the virtual time at which
 * each attempt reached the server.
 */
async function retriedOnce(
  first: (reply: (status: number, headers?: Record<string, string>) => void) => void,
  options: { defaultCooldown: number; initialRetryDelay: number; store?: LimiterStore },
): Promise<{ events: RetryEvent[]; sentAt: number[] }> {
  const scheduler = new ManualScheduler();
  const sentAt: number[] = [];
  server = await startScriptedServer((req, res) => {
    sentAt.push(scheduler.now());
    if (sentAt.length === 1)
      first((status, headers) => json(res, status, { error: { message: 'slow down' } }, headers));
    else json(res, 200, { ok: true });
  });
  const events: RetryEvent[] = [];
  const client = createClient({
    adminAPIKey: 'sk-admin-test',
    baseURL: server.url,
    scheduler,
    initialRetryDelay: options.initialRetryDelay,
    rateLimit: { defaultCooldown: options.defaultCooldown, store: options.store },
    random: () => 0.5,
    onRetry: (event) => events.push(event),
  });
  try {
    const result = firstValueFrom(client.request$(echo));
    // Between the attempts nothing is on the wire: run the timers (the retry's wait, and any
    // wake-up of the limiter) in virtual time until the second attempt is sent.
    await waitFor(() => {
      // Counted by the client, not the server: once the retry has started, its pending timer is
      // its timeout, which must not run.
      if (events.length === 1 && client.metrics().requests === 1 && scheduler.pending > 0)
        scheduler.runNext();
      return sentAt.length === 2;
    }, 'the retry to reach the server');
    await expect(result).resolves.toEqual({ ok: true });
    return { events, sentAt };
  } finally {
    await client.close();
  }
}

describe('the wait a retry reports is the wait that happens', () => {
  it('a 429 without retry-after: the limiter’s cooldown, not the shorter backoff', async () => {
    // The backoff alone would be 250 ms (500 ms × 0.5), but the 429 pauses the whole client
    // for its 2,000 ms cooldown: the retry goes at 2,000 ms, and its event says 2,000.
    const { events, sentAt } = await retriedOnce((reply) => reply(429), {
      defaultCooldown: 2_000,
      initialRetryDelay: 500,
    });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ attempt: 1, status: 429, delayMs: 2_000 });
    expect(sentAt[1]! - sentAt[0]!).toBe(events[0]!.delayMs);
  });

  it('a 429 with a short cooldown: the slower pace it brings counts too', async () => {
    // With no rate headers the 429 also teaches the limiter a slower pace (CUBIC), whose next
    // token comes later than both the 100 ms cooldown and the 500 ms backoff.
    const { events, sentAt } = await retriedOnce((reply) => reply(429), {
      defaultCooldown: 100,
      initialRetryDelay: 1_000,
    });
    expect(events[0]!.delayMs).toBeGreaterThan(500);
    expect(sentAt[1]! - sentAt[0]!).toBe(events[0]!.delayMs);
  });

  it('a 503: the policy’s backoff, the limiter having no reason to wait', async () => {
    const { events, sentAt } = await retriedOnce((reply) => reply(503), {
      defaultCooldown: 2_000,
      initialRetryDelay: 500,
    });
    expect(events[0]).toMatchObject({ status: 503, delayMs: 250 });
    expect(sentAt[1]! - sentAt[0]!).toBe(250);
  });

  it('a 429 with an HTTP-date retry-after: one reading of it, for the pause and the event', async () => {
    // The date is absolute: the transport turns it into a wait once, when the response arrives;
    // after that the limiter and the policy count that wait on the client's (virtual) clock.
    const { events, sentAt } = await retriedOnce(
      // 3.5 s ahead, so that the whole seconds of the date leave more than 2.5 s: longer than
      // the 2 s the slower pace after a 429 would ask of its own.
      (reply) => reply(429, { 'retry-after': new Date(Date.now() + 3_500).toUTCString() }),
      { defaultCooldown: 100, initialRetryDelay: 100 },
    );
    const asked = (events[0]!.error as { rateLimit: { retryAfterMs?: number } }).rateLimit
      .retryAfterMs;
    // Whole seconds: between 2.5 and 3.5 s after arrival, by the wall clock's millisecond.
    expect(asked).toBeGreaterThan(2_000);
    expect(asked).toBeLessThanOrEqual(3_500);
    expect(events[0]!.delayMs).toBe(asked);
    expect(sentAt[1]! - sentAt[0]!).toBe(asked);
  });

  it('with a shared (asynchronous) store too: the wait is decided once the store has heard the 429', async () => {
    // The in-memory bucket behind a promise, as the Redis store answers: only the asynchrony
    // differs. The 429's pause and slower pace reach the store a round trip after the response.
    const memory = new MemoryStore();
    const store: LimiterStore = {
      decide: (scope, call, now) => Promise.resolve(memory.decide(scope, call, now)),
    };
    const { events, sentAt } = await retriedOnce((reply) => reply(429), {
      defaultCooldown: 100,
      initialRetryDelay: 1_000,
      store,
    });
    expect(events[0]!.delayMs).toBeGreaterThan(500);
    expect(sentAt[1]! - sentAt[0]!).toBe(events[0]!.delayMs);
  });
});

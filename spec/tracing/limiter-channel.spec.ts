import { channel, subscribe, unsubscribe } from 'node:diagnostics_channel';
import { of } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import type { Headers } from '../../src/internal/http/headers.js';
import { rateLimitSignalOf } from '../../src/internal/http/rate-limit-headers.js';
import { LIMITER_CHANNEL, type LimiterTraceEvent } from '../../src/internal/http/trace-channels.js';
import { Limiter } from '../../src/internal/schedule/limiter.js';
import { ManualScheduler } from '../support/manual-scheduler.js';

const clocks = new WeakMap<Limiter, ManualScheduler>();

function limiter(): Limiter {
  const scheduler = new ManualScheduler();
  const made = new Limiter({
    maxConcurrency: 4,
    requestsPerMinute: undefined,
    adaptive: true,
    defaultCooldown: 1000,
    maxPause: 60_000,
    scheduler,
  });
  clocks.set(made, scheduler);
  return made;
}

/**
 * One request through `on`, answered with `status` and `headers` as soon as it starts; the
 * limiter's virtual clock moves on while it waits for its turn.
 */
function answer(on: Limiter, status: number, headers: Headers): void {
  let done = false;
  const rateLimit = rateLimitSignalOf(headers, 0);
  on.run('ckpt', of({ status, rateLimit })).subscribe({ complete: () => (done = true) });
  while (!done && clocks.get(on)?.runNext());
  expect(done).toBe(true);
}

function recording(body: () => void): LimiterTraceEvent[] {
  const seen: LimiterTraceEvent[] = [];
  const listener = (message: unknown): void => void seen.push(message as LimiterTraceEvent);
  subscribe(LIMITER_CHANNEL, listener);
  try {
    body();
  } finally {
    unsubscribe(LIMITER_CHANNEL, listener);
  }
  return seen;
}

describe('the limiter channel', () => {
  it('reports the pace the rate headers set, once per change', () => {
    const on = limiter();
    const seen = recording(() => {
      answer(on, 200, { 'x-ratelimit-limit-requests': '600' });
      answer(on, 200, { 'x-ratelimit-limit-requests': '600' });
      answer(on, 200, { 'x-ratelimit-limit-requests': '1200' });
    });
    // 95% of the announced limit (the limiter's reserve), per second.
    expect(seen).toEqual([
      { type: 'rate', ratePerSecond: on.state().ratePerSecond! / 2, mode: 'headers' },
      { type: 'rate', ratePerSecond: on.state().ratePerSecond, mode: 'headers' },
    ]);
    expect(on.state().ratePerSecond).toBeCloseTo((1200 * 0.95) / 60);
  });

  it('reports the pause of a 429, with the wait the server asked for', () => {
    const on = limiter();
    const seen = recording(() => answer(on, 429, { 'retry-after-ms': '250' }));
    expect(seen).toContainEqual({ type: 'pause', ms: 250, reason: 'rate-limited' });
    expect(on.state().pausedForMs).toBe(250);
  });

  it('reports the pause of a spent budget, until its reset', () => {
    const on = limiter();
    const seen = recording(() =>
      answer(on, 200, {
        'x-ratelimit-limit-requests': '600',
        'x-ratelimit-remaining-requests': '0',
        'x-ratelimit-reset-requests': '2s',
      }),
    );
    expect(seen).toContainEqual({ type: 'pause', ms: 2000, reason: 'budget-exhausted' });
    expect(on.state().pausedForMs).toBe(2000);
  });

  it('reports the pace CUBIC learns after a 429 without rate headers', () => {
    const on = limiter();
    const seen = recording(() => {
      answer(on, 200, {});
      answer(on, 429, {});
    });
    const rates = seen.filter((e) => e.type === 'rate');
    expect(rates.at(-1)).toEqual({
      type: 'rate',
      ratePerSecond: on.state().ratePerSecond,
      mode: 'adaptive',
    });
  });

  it('publishes nothing and builds no event without a subscriber', () => {
    const spy = vi.spyOn(channel(LIMITER_CHANNEL), 'publish');
    try {
      const on = limiter();
      answer(on, 200, { 'x-ratelimit-limit-requests': '600' });
      answer(on, 429, { 'retry-after-ms': '250' });
      expect(spy).not.toHaveBeenCalled();
      // The same spy sees the events of a watched limiter, so it watches the right channel.
      recording(() => answer(limiter(), 429, { 'retry-after-ms': '250' }));
      expect(spy).toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });
});

import { describe, expect, it } from 'vitest';
import { Pacer, type PacerOptions } from '../../src/internal/schedule/pacer.js';

const OPTIONS: PacerOptions = {
  requestsPerMinute: undefined,
  adaptive: true,
  defaultCooldown: 1_000,
  maxPause: 60_000,
};

describe('Pacer', () => {
  it('slow-starts, then learns CUBIC steps when the server sends no rate headers', () => {
    const pacer = new Pacer(OPTIONS);
    expect(pacer.mode).toBe('slow-start');
    expect(pacer.observe({}, 200, 1, 0)).toEqual({
      seq: 1,
      pauseMs: 0,
      cubic: { throttled: false },
    });
    expect(pacer.mode).toBe('adaptive');
    expect(pacer.observe({}, 429, 2, 10)).toEqual({
      seq: 2,
      pauseMs: 1_000,
      cubic: { throttled: true },
    });
    expect(pacer.rateLimited).toBe(1);
  });

  it('pauses for a 429’s retry-after, and remembers the pause on its own clock', () => {
    const pacer = new Pacer(OPTIONS);
    expect(pacer.observe({ retryAfterMs: 2_500 }, 429, 1, 100)).toMatchObject({ pauseMs: 2_500 });
    expect(pacer.pausedForMs(100)).toBe(2_500);
    expect(pacer.pausedForMs(1_100)).toBe(1_500);
    expect(pacer.pausedForMs(5_000)).toBe(0);
  });

  it('pauses only defaultCooldown when a 429 asks for more than maxPause, and never past maxPause', () => {
    const pacer = new Pacer({ ...OPTIONS, maxPause: 5_000 });
    expect(pacer.observe({ retryAfterMs: 3_600_000 }, 429, 1, 0)).toMatchObject({ pauseMs: 1_000 });
    const capped = new Pacer({ ...OPTIONS, defaultCooldown: 9_000, maxPause: 5_000 });
    expect(capped.observe({}, 429, 1, 0)).toMatchObject({ pauseMs: 5_000 });
  });

  it('paces at 95% of the announced limit, capped by requestsPerMinute', () => {
    const pacer = new Pacer({ ...OPTIONS, requestsPerMinute: 30 });
    const seen = pacer.observe({ budget: { limit: 60, remaining: 59, resetMs: 1_000 } }, 200, 1, 0);
    expect(pacer.mode).toBe('headers');
    // 95% of 60/min is 57/min, above the configured 30/min: the configured cap holds.
    expect(seen).toEqual({
      seq: 1,
      pauseMs: 0,
      ratePerMs: 30 / 60_000,
      remaining: 59,
      resetMs: 1_000,
    });
  });

  it('pauses until the reset when the budget is spent, capped at maxPause', () => {
    const pacer = new Pacer({ ...OPTIONS, maxPause: 10_000 });
    const seen = pacer.observe({ budget: { remaining: 0, resetMs: 7_200_000 } }, 200, 3, 0);
    expect(seen).toMatchObject({ remaining: 0, resetMs: 10_000 });
    expect(pacer.pausedForMs(0)).toBe(10_000);
  });

  it('teaches nothing from a plain response in fixed mode', () => {
    const pacer = new Pacer({ ...OPTIONS, requestsPerMinute: 60 });
    expect(pacer.observe({}, 200, 1, 0)).toBeUndefined();
    expect(pacer.mode).toBe('fixed');
  });
});

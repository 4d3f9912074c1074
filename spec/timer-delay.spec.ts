import { describe, expect, it } from 'vitest';
import { MAX_TIMER_DELAY, timerDelay } from '../src/internal/timer-delay.js';

describe('timerDelay', () => {
  it.each<[number, number]>([
    [0, 0],
    [1, 1],
    [1.5, 1.5],
    [60_000, 60_000],
    [2 ** 31 - 1, 2 ** 31 - 1],
    [2 ** 31, 2 ** 31 - 1],
    [99_999 * 3_600_000, 2 ** 31 - 1],
    [Infinity, 2 ** 31 - 1],
    [-1, 0],
    [-Infinity, 0],
    [Number.NaN, 0],
  ])('clamps %d ms to %d ms', (ms, expected) => {
    expect(timerDelay(ms)).toBe(expected);
  });

  it('is the largest delay a Node timer takes without overflowing to 1 ms', () => {
    expect(MAX_TIMER_DELAY).toBe(2_147_483_647);
  });
});

import { describe, expect, it } from 'vitest';
import { formatDuration } from '../../src/emulator/duration.js';

describe('formatDuration (Go time.Duration.String at ms precision)', () => {
  it.each([
    [0, '0s'],
    [-5, '0s'],
    [0.2, '1ms'],
    [1, '1ms'],
    [20, '20ms'],
    [999, '999ms'],
    [999.5, '1s'],
    [1000, '1s'],
    [1001, '1.001s'],
    [1010, '1.01s'],
    [1500, '1.5s'],
    [8640, '8.64s'],
    [59_999, '59.999s'],
    [60_000, '1m0s'],
    [61_500, '1m1.5s'],
    [360_000, '6m0s'],
    [3_599_999, '59m59.999s'],
    [3_600_000, '1h0m0s'],
    [3_723_004, '1h2m3.004s'],
    [90_000_000, '25h0m0s'],
  ])('formats %d ms as %s', (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });
});

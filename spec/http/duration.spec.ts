import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/internal/http/duration.js';

// Go's time.ParseDuration: a sequence of decimal numbers, each with an optional fraction and a
// unit among ns, us (or µs), ms, s, m, h (https://pkg.go.dev/time#ParseDuration). OpenAI sends
// these in x-ratelimit-reset-requests. Expected values are written out in milliseconds.
describe('parseDuration', () => {
  it.each([
    ['20ms', 20],
    ['1s', 1_000],
    ['1.5s', 1_500],
    ['0.5s', 500],
    ['.5s', 500],
    ['6m0s', 360_000],
    ['1m30s', 90_000],
    ['1h2m3s', 3_723_000], // 3600 + 120 + 3 s
    ['2h', 7_200_000],
    ['1h0m0.5s', 3_600_500],
    ['0s', 0],
    ['500us', 0.5],
    ['500µs', 0.5], // U+00B5 MICRO SIGN
    ['1500000ns', 1.5],
    ['1s500ms', 1_500],
    ['17.265s', 17_265],
    [' 1s ', 1_000], // an HTTP field value's surrounding whitespace is not part of it (RFC 9110 §5.5)
  ])('%j is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBeCloseTo(ms, 9);
  });

  // Not Go syntax, but documented here: a bare number is seconds, like retry-after.
  it.each([
    ['0', 0],
    ['1', 1_000],
    ['60', 60_000],
    ['1.5', 1_500],
  ])('the bare number %j is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    [undefined],
    [''],
    ['   '],
    ['1x'],
    ['1s2'],
    ['s'],
    ['ms'],
    ['1sec'],
    ['soon'],
    ['1 s'],
    ['1s 2m'],
    ['1.2.3s'],
    ['..5s'],
    ['1e3ms'],
    ['0x10s'],
    ['-1s'], // a reset in the past is no wait we could act on
    ['NaN'],
    ['Infinity'],
  ])('%j is unreadable: undefined', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  // Go's parser accepts these too; an OpenAI-compatible server written in Go may send them.
  describe('other spellings Go accepts', () => {
    it.each([
      ['1.s', 1_000], // Go: digits before the dot suffice ("1." is 1)
      ['+1s', 1_000], // Go: a leading sign is allowed
      ['500μs', 0.5], // U+03BC GREEK SMALL LETTER MU, listed in Go's unitMap beside U+00B5
    ])('%j is %d ms', (text, ms) => {
      expect(parseDuration(text)).toBeCloseTo(ms, 9);
    });
  });

  it('does not keep state between calls (the sticky regex is reset)', () => {
    expect(parseDuration('1x')).toBeUndefined();
    expect(parseDuration('1h2m3s')).toBe(3_723_000);
    expect(parseDuration('20ms')).toBe(20);
  });
});

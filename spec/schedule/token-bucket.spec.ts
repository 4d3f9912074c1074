import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../src/internal/schedule/token-bucket.js';

// Rates are tokens per ms: 10 / 1000 is 10 requests per second, one token every 100 ms.
const TEN_PER_SECOND = 10 / 1_000;

describe('TokenBucket', () => {
  it('starts full unless told otherwise, and never above capacity', () => {
    expect(new TokenBucket(TEN_PER_SECOND, 5, 0).tokens(0)).toBe(5);
    expect(new TokenBucket(TEN_PER_SECOND, 5, 0, 2).tokens(0)).toBe(2);
    expect(new TokenBucket(TEN_PER_SECOND, 5, 0, 50).tokens(0)).toBe(5);
  });

  it('reports its rate per second', () => {
    expect(new TokenBucket(TEN_PER_SECOND, 5, 0).ratePerSecond).toBeCloseTo(10, 12);
  });

  it.each([
    // [ms elapsed from an empty bucket, tokens] at 10/s with capacity 5
    [0, 0],
    [50, 0.5],
    [100, 1],
    [250, 2.5],
    [500, 5],
    [501, 5], // capped
    [60_000, 5],
  ])('refills from empty: after %d ms, %d tokens', (elapsed, tokens) => {
    const bucket = new TokenBucket(TEN_PER_SECOND, 5, 1_000, 0);
    expect(bucket.tokens(1_000 + elapsed)).toBeCloseTo(tokens, 9);
  });

  it('ignores a clock that goes backwards', () => {
    const bucket = new TokenBucket(TEN_PER_SECOND, 5, 1_000, 0);
    expect(bucket.tokens(900)).toBe(0);
    expect(bucket.tokens(1_100)).toBeCloseTo(1, 9);
  });

  it('tryTake takes one whole token while there is one', () => {
    const bucket = new TokenBucket(TEN_PER_SECOND, 3, 0);
    expect([bucket.tryTake(0), bucket.tryTake(0), bucket.tryTake(0), bucket.tryTake(0)]).toEqual([
      true,
      true,
      true,
      false,
    ]);
    expect(bucket.tokens(0)).toBe(0);
    expect(bucket.tryTake(99)).toBe(false); // 0.99 of a token is not one
    expect(bucket.tryTake(100)).toBe(true);
    expect(bucket.tokens(100)).toBeCloseTo(0, 9);
  });

  it('a refused tryTake takes nothing', () => {
    const bucket = new TokenBucket(TEN_PER_SECOND, 3, 0, 0.5);
    expect(bucket.tryTake(0)).toBe(false);
    expect(bucket.tokens(0)).toBe(0.5);
  });

  it.each([
    // [tokens at 0, now, ms until a whole token] at 10/s (100 ms per token)
    [1, 0, 0],
    [3, 0, 0],
    [0, 0, 100],
    [0.5, 0, 50],
    [0.25, 0, 75],
    [0, 40, 60],
    [0, 100, 0],
    [0.999, 0, 1], // 0.1 ms, rounded up to a whole ms
  ])('with %d tokens at 0, msUntilToken(%d) is %d', (tokens, now, ms) => {
    const bucket = new TokenBucket(TEN_PER_SECOND, 5, 0, tokens);
    expect(bucket.msUntilToken(now)).toBe(ms);
  });

  it('msUntilToken waits long enough that tryTake then succeeds', () => {
    const bucket = new TokenBucket(3 / 1_000, 1, 0, 0); // one token every 333.3 ms
    const wait = bucket.msUntilToken(0);
    expect(wait).toBe(334);
    expect(bucket.tryTake(wait - 1)).toBe(false);
    expect(bucket.tryTake(wait)).toBe(true);
  });

  it.each([
    // [tokens, clamp to, result]
    [5, 2, 2],
    [5, 0, 0],
    [2, 5, 2], // never raises
    [2, 2, 2],
  ])('clampTo: %d tokens clamped to %d -> %d', (tokens, clamp, result) => {
    const bucket = new TokenBucket(TEN_PER_SECOND, 5, 0, tokens);
    bucket.clampTo(clamp, 0);
    expect(bucket.tokens(0)).toBe(result);
  });

  it('clampTo refills up to now before it clamps', () => {
    const bucket = new TokenBucket(TEN_PER_SECOND, 5, 0, 0);
    bucket.clampTo(10, 300); // 3 tokens accrued by 300 ms; 10 does not raise them
    expect(bucket.tokens(300)).toBeCloseTo(3, 9);
    bucket.clampTo(1, 300);
    expect(bucket.tokens(300)).toBe(1);
  });

  it('reconfigure accrues at the old rate up to now, then uses the new one', () => {
    const bucket = new TokenBucket(TEN_PER_SECOND, 10, 0, 0);
    // 0..500 ms at 10/s: 5 tokens. Then 1/s from 500 ms: +1 token by 1500 ms.
    bucket.reconfigure(1 / 1_000, 10, 500);
    expect(bucket.tokens(500)).toBeCloseTo(5, 9);
    expect(bucket.tokens(1_500)).toBeCloseTo(6, 9);
    expect(bucket.ratePerSecond).toBeCloseTo(1, 12);
  });

  it('reconfigure to a smaller capacity drops the excess', () => {
    const bucket = new TokenBucket(TEN_PER_SECOND, 10, 0);
    bucket.reconfigure(TEN_PER_SECOND, 3, 0);
    expect(bucket.tokens(0)).toBe(3);
    expect(bucket.tokens(10_000)).toBe(3);
  });

  it('reconfigure to a larger capacity does not add tokens by itself', () => {
    const bucket = new TokenBucket(TEN_PER_SECOND, 2, 0);
    bucket.reconfigure(TEN_PER_SECOND, 20, 0);
    expect(bucket.tokens(0)).toBe(2);
    expect(bucket.tokens(1_000)).toBeCloseTo(12, 9);
  });

  it('takeAhead takes the next token before it accrues: a debt that later callers wait out', () => {
    const bucket = new TokenBucket(TEN_PER_SECOND, 1, 0);
    expect(bucket.takeAhead(0)).toBe(0); // the one token there
    expect(bucket.takeAhead(0)).toBe(100); // the next, due in 100 ms
    expect(bucket.takeAhead(0)).toBe(200);
    expect(bucket.msUntilToken(0)).toBe(300);
    expect(bucket.tryTake(250)).toBe(false);
    expect(bucket.msUntilToken(300)).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import {
  fullRequestBucket,
  takeRequest,
  type RequestBucket,
} from '../../../src/emulator/faults/request-bucket.js';

/** Takes a token at each time in turn, threading the bucket through. */
function run(bucket: RequestBucket, times: number[]) {
  return times.map((now) => {
    const decision = takeRequest(bucket, now);
    bucket = decision.bucket;
    return decision;
  });
}

describe('request bucket (the emulator rate limit)', () => {
  it('starts full: a burst passes at once, then the next request waits', () => {
    const decisions = run(fullRequestBucket(60, 3, 0), [0, 0, 0, 0]);
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false]);
    expect(decisions.map((d) => d.remaining)).toEqual([2, 1, 0, 0]);
  });

  it.each([
    // rpm, burst, request times (ms), expected allowed
    [60, 1, [0, 999, 1000], [true, false, true]],
    [600, 2, [0, 0, 0, 100, 150, 200], [true, true, false, true, false, true]],
    [6000, 1, [0, 5, 10, 20], [true, false, true, true]],
    [60, 2, [0, 0, 10_000, 10_000, 10_000], [true, true, true, true, false]],
  ])('rpm %d burst %d at %j -> %j', (rpm, burst, times, allowed) => {
    expect(run(fullRequestBucket(rpm, burst, 0), times).map((d) => d.allowed)).toEqual(allowed);
  });

  it('reports the time until the bucket is full again (x-ratelimit-reset-requests)', () => {
    const [first, second] = run(fullRequestBucket(60, 3, 0), [0, 0]);
    expect(first?.resetMs).toBeCloseTo(1000);
    expect(second?.resetMs).toBeCloseTo(2000);
  });

  it('reports the time until one token is available when empty (retry-after-ms)', () => {
    const [, refused, later] = run(fullRequestBucket(60, 1, 0), [0, 250, 400]);
    expect(refused?.allowed).toBe(false);
    expect(refused?.retryAfterMs).toBeCloseTo(750);
    expect(later?.retryAfterMs).toBeCloseTo(600);
    expect(later?.resetMs).toBeCloseTo(600);
  });

  it('never holds more than the burst, however long it idles', () => {
    const [decision] = run(fullRequestBucket(60, 2, 0), [1e9]);
    expect(decision?.remaining).toBe(1);
    expect(decision?.bucket.tokens).toBe(1);
  });

  it('counts a token that float dust leaves a hair short as whole', () => {
    // 7 requests per minute: refills of 60000/7 ms accumulate rounding error.
    const times = Array.from({ length: 50 }, (_, i) => (i * 60_000) / 7);
    expect(run(fullRequestBucket(7, 1, 0), times).every((d) => d.allowed)).toBe(true);
  });

  it('ignores a clock that goes backwards', () => {
    const [, second] = run(fullRequestBucket(60, 1, 1000), [1000, 500]);
    expect(second?.allowed).toBe(false);
    expect(second?.bucket.at).toBe(1000);
  });
});

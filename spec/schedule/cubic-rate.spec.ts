import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CubicRate } from '../../src/internal/schedule/cubic-rate.js';

// The reference is the AWS SDK's adaptive rate limiter (`DefaultRateLimiter`, @smithy/util-retry):
//
//   updateMeasuredRate:  bucket = floor(t * 2) / 2; count++;
//                        if bucket > lastBucket: measured = count / (bucket - lastBucket) * 0.8
//                                                           + measured * 0.2; count = 0
//   on a throttle:       base = enabled ? min(measured, fillRate) : measured
//                        lastMaxRate = base; lastThrottleTime = t; rate = base * 0.7; enabled
//   on a success:        W = cbrt(lastMaxRate * (1 - 0.7) / 0.4)
//                        rate = 0.4 * (t - lastThrottleTime - W)^3 + lastMaxRate
//   then:                fillRate = max(min(rate, 2 * measured), 0.5)
//
// Times are seconds. Every expected number below is worked out by hand in the comments.

/** `n` responses at `t`, all successes or all throttled; returns the rate after the last. */
function observe(cubic: CubicRate, t: number, n = 1, throttled = false): number {
  let rate = cubic.rate;
  for (let i = 0; i < n; i++) rate = cubic.observe(t, throttled);
  return rate;
}

/**
 * A limiter throttled once, at t = 1: 44 successes at t = 0 and the throttled response at t = 1
 * make 45 responses in the window [0, 1), so measured = 45 / 1 * 0.8 = 36 req/s, lastMaxRate = 36,
 * rate = 0.7 * 36 = 25.2, and the cubic's plateau is W = cbrt(36 * 0.3 / 0.4) = cbrt(27) = 3 s
 * after the throttle, at t = 4.
 */
function throttledAt1(): CubicRate {
  const cubic = new CubicRate(0);
  observe(cubic, 0, 44);
  observe(cubic, 1, 1, true);
  return cubic;
}

describe('CubicRate', () => {
  it('uses the AWS constants', () => {
    expect(CubicRate.BETA).toBe(0.7);
    expect(CubicRate.SCALE).toBe(0.4);
    expect(CubicRate.SMOOTH).toBe(0.8);
    expect(CubicRate.MIN_RATE).toBe(0.5);
  });

  it('starts disabled, at the minimum rate, having measured nothing', () => {
    const cubic = new CubicRate(100);
    expect(cubic.enabled).toBe(false);
    expect(cubic.rate).toBe(0.5);
    expect(cubic.measuredRate).toBe(0);
  });

  it('successes alone never enable it', () => {
    const cubic = new CubicRate(0);
    // 44 at t = 0, then t = 1 closes the window: measured 36. No throttle yet: lastMaxRate 0,
    // W 0, cubic 0.4 * 1^3 = 0.4, floored at 0.5.
    observe(cubic, 0, 44);
    expect(observe(cubic, 1)).toBeCloseTo(0.5, 9);
    expect(cubic.measuredRate).toBeCloseTo(36, 9);
    expect(cubic.enabled).toBe(false);
  });

  describe('measured rate: half-second windows, smoothed 0.8', () => {
    it('does not change within a window', () => {
      const cubic = new CubicRate(0);
      observe(cubic, 0.1, 3);
      observe(cubic, 0.49);
      expect(cubic.measuredRate).toBe(0);
    });

    it('updates when a response opens a later window, counting that response', () => {
      const cubic = new CubicRate(0);
      // 0, 0.1, 0.2, 0.3 in [0, 0.5); the response at 0.5 makes 5: 5 / 0.5 = 10 req/s,
      // smoothed: 10 * 0.8 + 0 * 0.2 = 8.
      for (const t of [0, 0.1, 0.2, 0.3, 0.5]) cubic.observe(t, false);
      expect(cubic.measuredRate).toBeCloseTo(8, 9);
      // 0.6, 0.7, then 1.5: 3 responses over the 1 s from 0.5 to 1.5 = 3 req/s,
      // smoothed: 3 * 0.8 + 8 * 0.2 = 2.4 + 1.6 = 4.
      for (const t of [0.6, 0.7, 1.5]) cubic.observe(t, false);
      expect(cubic.measuredRate).toBeCloseTo(4, 9);
      // 1.9 is still in [1.5, 2): unchanged.
      cubic.observe(1.9, false);
      expect(cubic.measuredRate).toBeCloseTo(4, 9);
    });

    it('divides by the whole gap when windows were skipped', () => {
      const cubic = new CubicRate(0);
      observe(cubic, 0, 9);
      // 10 responses from 0 to 2.5 (bucket 2.5): 10 / 2.5 = 4 req/s, * 0.8 = 3.2.
      observe(cubic, 2.7);
      expect(cubic.measuredRate).toBeCloseTo(3.2, 9);
    });
  });

  describe('on a throttle', () => {
    it('the first throttle cuts the measured rate by beta and enables pacing', () => {
      const cubic = throttledAt1();
      expect(cubic.enabled).toBe(true);
      expect(cubic.measuredRate).toBeCloseTo(36, 9);
      expect(cubic.rate).toBeCloseTo(25.2, 9); // 36 * 0.7
    });

    it('a throttle when nothing was measured gives the minimum rate, 0.5', () => {
      const cubic = new CubicRate(0);
      // t = 0.2 is in the first window: measured 0, so 0 * 0.7 = 0, floored at 0.5.
      expect(observe(cubic, 0.2, 1, true)).toBe(0.5);
      expect(cubic.enabled).toBe(true);
    });

    it('once enabled, a throttle cuts the lower of the measured and the current rate', () => {
      const cubic = throttledAt1();
      // Same window, so measured stays 36; min(36, 25.2) = 25.2, * 0.7 = 17.64.
      expect(observe(cubic, 1.1, 1, true)).toBeCloseTo(17.64, 9);
      // Again: min(36, 17.64) * 0.7 = 12.348.
      expect(observe(cubic, 1.2, 1, true)).toBeCloseTo(12.348, 9);
    });

    it('repeated throttles bottom out at 0.5', () => {
      const cubic = throttledAt1();
      // 25.2 * 0.7^k falls below 0.5 after k = 11 more throttles (25.2 * 0.7^11 = 0.498).
      expect(observe(cubic, 1.2, 11, true)).toBe(0.5);
      expect(observe(cubic, 1.3, 5, true)).toBe(0.5);
    });
  });

  describe('after a throttle, the rate grows back along the cubic', () => {
    // From throttledAt1: lastMaxRate 36, throttle at t = 1, W = 3, so the curve is
    // 0.4 * (t - 4)^3 + 36, capped at twice the measured rate.
    it('follows the curve, below the plateau, at it and beyond, under the 2x cap', () => {
      const cubic = throttledAt1();

      // t = 1.5: the window [1, 1.5) held 1 response (this one): 1 / 0.5 = 2 req/s, smoothed
      // 2 * 0.8 + 36 * 0.2 = 8.8. Curve: 0.4 * (-2.5)^3 + 36 = 29.75; cap 2 * 8.8 = 17.6.
      expect(observe(cubic, 1.5)).toBeCloseTo(17.6, 9);
      // 14 more at t = 1.5: same window, same measured, same curve value: still 17.6.
      expect(observe(cubic, 1.5, 14)).toBeCloseTo(17.6, 9);

      // t = 2: [1.5, 2) held 15: 30 req/s, smoothed 30 * 0.8 + 8.8 * 0.2 = 25.76, cap 51.52.
      // Curve: 0.4 * (-2)^3 + 36 = 32.8, under the cap.
      expect(observe(cubic, 2)).toBeCloseTo(32.8, 9);
      expect(cubic.measuredRate).toBeCloseTo(25.76, 9);

      // t = 3.5: [2, 3.5) held 1: 1 / 1.5 req/s, smoothed 0.8 / 1.5 + 25.76 * 0.2
      // = 0.533333 + 5.152 = 5.685333; cap 11.370667. Curve: 0.4 * (-0.5)^3 + 36 = 35.95.
      expect(observe(cubic, 3.5)).toBeCloseTo(11.370667, 5);
      observe(cubic, 3.5, 14);

      // t = 4, the plateau: [3.5, 4) held 15: 30 req/s, smoothed 24 + 5.685333 * 0.2
      // = 25.137067, cap 50.27. Curve: 0.4 * 0^3 + 36 = 36 = lastMaxRate.
      expect(observe(cubic, 4)).toBeCloseTo(36, 9);
      expect(cubic.measuredRate).toBeCloseTo(25.137067, 5);

      // t = 4.4, same window: the curve leaves the plateau, 0.4 * 0.4^3 + 36 = 36.0256.
      expect(observe(cubic, 4.4)).toBeCloseTo(36.0256, 9);

      // And a throttle at 4.45 cuts min(25.137067, 36.0256) * 0.7 = 17.595947.
      expect(observe(cubic, 4.45, 1, true)).toBeCloseTo(17.595947, 5);
    });
  });

  it('property: the rate stays within [0.5, max(0.5, 2 x measured)], and a throttle never raises it', () => {
    const step = fc.record({
      dt: fc.integer({ min: 0, max: 3_000 }), // ms to the next response
      throttled: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 200 }), (steps) => {
        const cubic = new CubicRate(0);
        let ms = 0;
        for (const { dt, throttled } of steps) {
          ms += dt;
          const wasEnabled = cubic.enabled;
          const before = cubic.rate;
          const rate = cubic.observe(ms / 1_000, throttled);
          expect(rate).toBe(cubic.rate);
          expect(rate).toBeGreaterThanOrEqual(0.5);
          expect(rate).toBeLessThanOrEqual(Math.max(0.5, 2 * cubic.measuredRate) + 1e-9);
          if (throttled && wasEnabled) {
            expect(rate).toBeLessThanOrEqual(Math.max(0.5, before * 0.7) + 1e-9);
          }
        }
      }),
    );
  });
});

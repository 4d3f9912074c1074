/**
 * Learns a sending rate from throttling alone, as the AWS SDK's "adaptive" retry mode does
 * (`DefaultRateLimiter` in `@smithy/util-retry`): on a throttle the rate drops to `beta` (0.7)
 * of what was being sent; after it, the rate grows back along the cubic curve of TCP CUBIC
 * (RFC 8312), `scale * (t - K)^3 + lastMax`, flat around the rate that was last throttled and
 * steep away from it. Used only when the server sends no `x-ratelimit-*` headers to learn from.
 *
 * Times are in seconds and rates in requests per second, as in the AWS implementation.
 *
 * @example
 * ```ts
 * const cubic = new CubicRate(0);
 * cubic.observe(10, true);  // throttled at t=10 s: returns the reduced rate
 * cubic.observe(12, false); // returns the rate grown back along the curve
 * ```
 */
export class CubicRate {
  static readonly BETA = 0.7;
  static readonly SCALE = 0.4;
  static readonly SMOOTH = 0.8;
  static readonly MIN_RATE = 0.5;

  #enabled = false;
  #rate = CubicRate.MIN_RATE;
  #lastMaxRate = 0;
  #lastThrottleAt: number;
  #measuredRate = 0;
  #countInWindow = 0;
  #windowStart: number;

  constructor(now: number) {
    this.#lastThrottleAt = now;
    this.#windowStart = Math.floor(now * 2) / 2;
  }

  /** True once a throttle has been seen: before that, nothing is paced. */
  get enabled(): boolean {
    return this.#enabled;
  }

  /** The current allowed rate, requests per second. */
  get rate(): number {
    return this.#rate;
  }

  /** The smoothed rate of responses actually seen, requests per second. */
  get measuredRate(): number {
    return this.#measuredRate;
  }

  /** Records one response at `now` (seconds), throttled or not, and returns the new rate. */
  observe(now: number, throttled: boolean): number {
    this.#measure(now);
    let next: number;
    if (throttled) {
      const base = this.#enabled ? Math.min(this.#measuredRate, this.#rate) : this.#measuredRate;
      this.#lastMaxRate = base;
      this.#lastThrottleAt = now;
      this.#enabled = true;
      next = base * CubicRate.BETA;
    } else {
      const window = Math.cbrt((this.#lastMaxRate * (1 - CubicRate.BETA)) / CubicRate.SCALE);
      next = CubicRate.SCALE * (now - this.#lastThrottleAt - window) ** 3 + this.#lastMaxRate;
    }
    // Never more than twice what the server has actually been shown to take.
    this.#rate = Math.max(Math.min(next, 2 * this.#measuredRate), CubicRate.MIN_RATE);
    return this.#rate;
  }

  /** Requests counted in half-second windows, exponentially smoothed. */
  #measure(now: number): void {
    const window = Math.floor(now * 2) / 2;
    this.#countInWindow++;
    if (window > this.#windowStart) {
      const current = this.#countInWindow / (window - this.#windowStart);
      this.#measuredRate = current * CubicRate.SMOOTH + this.#measuredRate * (1 - CubicRate.SMOOTH);
      this.#countInWindow = 0;
      this.#windowStart = window;
    }
  }
}

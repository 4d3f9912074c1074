/**
 * A token bucket on an explicit clock: `rate` tokens per ms accrue up to `capacity`, and each
 * request takes one. Pure bookkeeping with no timers, so the limiter decides when to wake up and
 * tests can drive it with plain numbers.
 *
 * @example
 * ```ts
 * const bucket = new TokenBucket(20 / 1000, 20, 0); // 20 requests/s, bursts of 20
 * bucket.tryTake(0);        // true
 * bucket.msUntilToken(0);   // 0 while tokens remain
 * ```
 */
export class TokenBucket {
  #tokens: number;
  #updatedAt: number;

  constructor(
    private ratePerMs: number,
    private capacity: number,
    now: number,
    tokens = capacity,
  ) {
    this.#tokens = Math.min(tokens, capacity);
    this.#updatedAt = now;
  }

  /** Requests per second, for humans. */
  get ratePerSecond(): number {
    return this.ratePerMs * 1000;
  }

  /** Whole and fractional tokens available at `now`. */
  tokens(now: number): number {
    this.#refill(now);
    return this.#tokens;
  }

  /** Takes a token if one is available at `now`. */
  tryTake(now: number): boolean {
    this.#refill(now);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Ms from `now` until a token is available; 0 when one already is. */
  msUntilToken(now: number): number {
    this.#refill(now);
    return this.#tokens >= 1 ? 0 : Math.ceil((1 - this.#tokens) / this.ratePerMs);
  }

  /**
   * Takes a token whether or not one is available, and returns the ms until it would have been:
   * the balance goes negative, a debt that refills repay before anyone else gets a token. For a
   * caller that would otherwise ask again and again (over a network) until it wins a token.
   */
  takeAhead(now: number): number {
    const wait = this.msUntilToken(now);
    this.#tokens -= 1;
    return wait;
  }

  /** Lowers the balance to at most `tokens` (what the server says is left), never raises it. */
  clampTo(tokens: number, now: number): void {
    this.#refill(now);
    this.#tokens = Math.min(this.#tokens, tokens);
  }

  /** Changes the rate and capacity, accruing at the old rate up to `now` first. */
  reconfigure(ratePerMs: number, capacity: number, now: number): void {
    this.#refill(now);
    this.ratePerMs = ratePerMs;
    this.capacity = capacity;
    this.#tokens = Math.min(this.#tokens, capacity);
  }

  /**
   * {@link msUntilToken} as a look only: the balance is not brought up to date, so that looking
   * (for a retry's wait) never changes the arithmetic of later takes, which the Redis store's
   * script repeats operation for operation.
   */
  peekMsUntilToken(now: number): number {
    const tokens =
      now > this.#updatedAt
        ? Math.min(this.capacity, this.#tokens + (now - this.#updatedAt) * this.ratePerMs)
        : this.#tokens;
    return tokens >= 1 ? 0 : Math.ceil((1 - tokens) / this.ratePerMs);
  }

  #refill(now: number): void {
    if (now > this.#updatedAt) {
      this.#tokens = Math.min(
        this.capacity,
        this.#tokens + (now - this.#updatedAt) * this.ratePerMs,
      );
      this.#updatedAt = now;
    }
  }
}

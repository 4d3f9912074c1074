/**
 * A client-wide allowance of retries, after the AWS SDK's retry quota (`@smithy/util-retry`,
 * `INITIAL_RETRY_TOKENS` 500, `RETRY_COST` 5, `TIMEOUT_RETRY_COST` 10, `NO_RETRY_INCREMENT` 1).
 * Every retry spends tokens and every success earns some back, so when a dependency is down and
 * *everything* fails, retries stop after about a hundred instead of multiplying the load by
 * `maxRetries`; when failures are sparse the budget never runs dry.
 *
 * @example
 * ```ts
 * const budget = new RetryBudget(500);
 * if (budget.trySpend(false)) retryLater();
 * ```
 */
export class RetryBudget {
  static readonly RETRY_COST = 5;
  static readonly TIMEOUT_RETRY_COST = 10;
  static readonly SUCCESS_REFUND = 1;
  #tokens: number;
  /** Tokens spent (negative) and earned since the last {@link RetryBudget.sync}. */
  #unsynced = 0;

  constructor(readonly capacity: number) {
    this.#tokens = capacity;
  }

  /** Tokens left. */
  get tokens(): number {
    return this.#tokens;
  }

  /** Takes the cost of one retry; `false` (and nothing taken) when the budget cannot cover it. */
  trySpend(timeout: boolean): boolean {
    const cost = timeout ? RetryBudget.TIMEOUT_RETRY_COST : RetryBudget.RETRY_COST;
    if (cost > this.#tokens) return false;
    this.#tokens -= cost;
    this.#unsynced -= cost;
    return true;
  }

  /**
   * A request succeeded: a first-time success earns a token, a success after retries returns what
   * its last retry cost.
   */
  refund(lastRetryCost: number): void {
    const before = this.#tokens;
    this.#tokens = Math.min(
      this.capacity,
      this.#tokens + (lastRetryCost || RetryBudget.SUCCESS_REFUND),
    );
    this.#unsynced += this.#tokens - before;
  }

  /**
   * For a budget shared through a limiter store: the change since it was last handed over, once.
   *
   * @internal
   */
  takeUnsynced(): number {
    const change = this.#unsynced;
    this.#unsynced = 0;
    return change;
  }

  /**
   * Adopts the shared balance, which includes every change handed over so far; changes made
   * since still count.
   *
   * @internal
   */
  sync(shared: number): void {
    this.#tokens = Math.min(this.capacity, Math.max(0, shared + this.#unsynced));
  }
}

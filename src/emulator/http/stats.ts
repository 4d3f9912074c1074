/**
 * Counters of what the emulator did, exact enough for tests to compare with what a client saw
 * (for instance: data requests <= pages + faults + 429s).
 *
 * @example
 * const { requests, byStatus, pagesServed } = emulator.stats();
 * byStatus['429'] ?? 0; // a status that never happened has no key
 */
export interface EmulatorStats {
  /** API requests received under `/v1`, whatever their outcome. */
  requests: number;
  /**
   * Responses by status (`'200'`, `'429'`, ...), plus `'reset'` and `'truncated'` for chaos faults
   * that send no complete response. Only statuses that happened have a key.
   */
  byStatus: Record<string, number>;
  /** Chaos faults injected (500, 502, 503, reset, truncate); latency and slow bodies are not faults. */
  faults: number;
  /** 429 responses. */
  rateLimited: number;
  /** 200 pages of any list endpoint, counted once their body was fully written. */
  pagesServed: number;
  /** The same, for the permissions list only. */
  permissionPagesServed: number;
  /** Items in the pages counted by `pagesServed`. */
  itemsServed: number;
  /** Items in the pages counted by `permissionPagesServed`. */
  permissionItemsServed: number;
  /** API requests being handled now. */
  inFlight: number;
  /** The most API requests handled at once since the start or the last reset. */
  maxInFlight: number;
  /** Requests whose client closed the connection before the response was finished. */
  aborted: number;
}

/**
 * The mutable counters behind `emulator.stats()`; one per emulator.
 *
 * @example
 * const stats = new Stats();
 * stats.received();
 * stats.snapshot().requests; // 1
 */
export class Stats {
  #counters: EmulatorStats = zero(0);

  /** A copy of the counters. */
  snapshot(): EmulatorStats {
    return { ...this.#counters, byStatus: { ...this.#counters.byStatus } };
  }

  /** Zeroes every counter except `inFlight`, which is the present, not history. */
  reset(): void {
    this.#counters = zero(this.#counters.inFlight);
  }

  /** An API request arrived. */
  received(): void {
    const counters = this.#counters;
    counters.requests++;
    counters.inFlight++;
    counters.maxInFlight = Math.max(counters.maxInFlight, counters.inFlight);
  }

  /** An API request is over: answered, faulted or abandoned. */
  settled(): void {
    this.#counters.inFlight--;
  }

  /** A response began with this status, or a body-less fault happened (`reset`, `truncated`). */
  answered(status: number | 'reset' | 'truncated'): void {
    const byStatus = this.#counters.byStatus;
    byStatus[status] = (byStatus[status] ?? 0) + 1;
    if (status === 429) this.#counters.rateLimited++;
  }

  /** A chaos fault was injected. */
  faulted(): void {
    this.#counters.faults++;
  }

  /** A list page was fully written. */
  pageServed(page: { permissions: boolean; items: number }): void {
    const counters = this.#counters;
    counters.pagesServed++;
    counters.itemsServed += page.items;
    if (page.permissions) {
      counters.permissionPagesServed++;
      counters.permissionItemsServed += page.items;
    }
  }

  /** The client went away before the response was finished. */
  aborted(): void {
    this.#counters.aborted++;
  }
}

function zero(inFlight: number): EmulatorStats {
  return {
    requests: 0,
    byStatus: {},
    faults: 0,
    rateLimited: 0,
    pagesServed: 0,
    permissionPagesServed: 0,
    itemsServed: 0,
    permissionItemsServed: 0,
    inFlight,
    maxInFlight: inFlight,
    aborted: 0,
  };
}

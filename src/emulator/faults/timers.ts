import type { ServerResponse } from 'node:http';

/**
 * The emulator's pending waits (latency, slow-body gaps). Each ends early when its response
 * closes, and `cancelAll` ends them all, so closing an emulator leaves no timer behind to keep
 * a test process alive.
 *
 * @example
 * await timers.sleep(20, res);
 * const left = res.destroyed; // the client left while we waited
 */
export class Timers {
  readonly #pending = new Set<() => void>();

  /** Resolves after `ms`, or as soon as `res` closes or `cancelAll` runs, whichever is first. */
  sleep(ms: number, res: ServerResponse): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        res.off('close', wake);
        this.#pending.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      res.once('close', wake);
      this.#pending.add(wake);
    });
  }

  /** Ends every pending wait now. */
  cancelAll(): void {
    for (const wake of [...this.#pending]) wake();
  }
}

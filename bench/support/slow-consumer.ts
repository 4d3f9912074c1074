import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A consumer that handles one page at a time, `msPerPage` each, whichever stream the page comes
 * from: a database writer or an upload, shared by every checkpoint of an audit. Calls queue up
 * behind each other; each resolves when its page has been handled.
 *
 * @example
 * ```ts
 * const consumer = new SlowConsumer(10);
 * await consumer.consume(); // 10 ms after the pages queued before it
 * ```
 */
export class SlowConsumer {
  readonly #msPerPage: number;
  #tail: Promise<void> = Promise.resolve();
  #consumed = 0;

  constructor(msPerPage: number) {
    this.#msPerPage = msPerPage;
  }

  /** Pages handled so far. */
  get consumed(): number {
    return this.#consumed;
  }

  consume(): Promise<void> {
    this.#tail = this.#tail.then(async () => {
      await sleep(this.#msPerPage);
      this.#consumed++;
    });
    return this.#tail;
  }
}

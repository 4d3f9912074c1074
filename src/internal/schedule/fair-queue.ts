/**
 * A queue that takes turns between keys: `shift()` serves the oldest item of the key whose turn
 * it is, then moves that key to the back. One checkpoint with a thousand waiting pages thus gets
 * one request in, then every other waiting checkpoint gets one, instead of starving them as a
 * FIFO would.
 *
 * @example
 * ```ts
 * const queue = new FairQueue<string>();
 * queue.push('a', 'a1'); queue.push('a', 'a2'); queue.push('b', 'b1');
 * [queue.shift(), queue.shift(), queue.shift()]; // ['a1', 'b1', 'a2']
 * ```
 */
export class FairQueue<T> {
  /** Insertion-ordered: the first key is the one whose turn it is. */
  readonly #byKey = new Map<string, T[]>();
  #size = 0;

  get size(): number {
    return this.#size;
  }

  push(key: string, item: T): void {
    const items = this.#byKey.get(key);
    if (items) items.push(item);
    else this.#byKey.set(key, [item]);
    this.#size++;
  }

  shift(): T | undefined {
    for (const [key, items] of this.#byKey) {
      const item = items.shift() as T;
      this.#byKey.delete(key);
      if (items.length > 0) this.#byKey.set(key, items);
      this.#size--;
      return item;
    }
    return undefined;
  }

  /** Removes a waiting item (its subscriber left); false when it was not waiting. */
  remove(key: string, item: T): boolean {
    const items = this.#byKey.get(key);
    const index = items?.indexOf(item) ?? -1;
    if (!items || index < 0) return false;
    items.splice(index, 1);
    if (items.length === 0) this.#byKey.delete(key);
    this.#size--;
    return true;
  }
}

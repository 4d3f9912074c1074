/** How one item of a {@link promisePool} ended. */
export type PoolOutcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * Runs `worker` over `items` with at most `concurrency` at once, as users drive a promise API
 * (the official SDK) over many checkpoints: `concurrency` loops pulling from one shared index.
 * A failure is recorded, not thrown, so the other items carry on, like our audit's error records.
 *
 * @example
 * ```ts
 * const outcomes = await promisePool(checkpoints, 16, (id) => sdkPermissionIds(sdk, id, 100));
 * ```
 */
export async function promisePool<I, T>(
  items: readonly I[],
  concurrency: number,
  worker: (item: I) => Promise<T>,
): Promise<Array<PoolOutcome<T>>> {
  const outcomes: Array<PoolOutcome<T>> = new Array<PoolOutcome<T>>(items.length);
  let next = 0;
  const loop = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      try {
        outcomes[index] = { ok: true, value: await worker(items[index] as I) };
      } catch (error) {
        outcomes[index] = { ok: false, error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, loop));
  return outcomes;
}

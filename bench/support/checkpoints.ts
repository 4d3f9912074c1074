/**
 * Checkpoint names for a synthetic dataset, realistic in shape (`ft:<model>:<org>:<suffix>:<id>:
 * ckpt-step-<n>`) so that path encoding costs what it costs against the real API.
 *
 * @example
 * ```ts
 * checkpointNames('fanout', 2); // ['ft:gpt-4o-mini-2024-07-18:acme:fanout:Bn7Qw2Xe:ckpt-step-1', …]
 * ```
 */
export function checkpointNames(suffix: string, count: number): readonly string[] {
  return Array.from(
    { length: count },
    (_, i) => `ft:gpt-4o-mini-2024-07-18:acme:${suffix}:Bn7Qw2Xe:ckpt-step-${i + 1}`,
  );
}

/** `{ name: permissions }` for `datasetOf`, each count chosen by the checkpoint's index. */
export function countsOf(
  names: readonly string[],
  permissions: (index: number) => number,
): Record<string, number> {
  return Object.fromEntries(names.map((name, i) => [name, permissions(i)]));
}

/** Pages a checkpoint needs at `limit`: an empty list still takes one request. */
export function pagesFor(permissions: number, limit: number): number {
  return Math.max(1, Math.ceil(permissions / limit));
}

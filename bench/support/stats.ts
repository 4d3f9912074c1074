/** The median of a non-empty list: robust to the odd slow run (a GC pause, a noisy neighbour). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of an empty list');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Rounds for display and JSON: figures are noisy past a few significant digits. */
export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Bytes as mebibytes, one decimal. */
export function mib(bytes: number): number {
  return round(bytes / 1024 / 1024, 1);
}

import { terminalSafe } from '../terminal-text.js';

/**
 * Renders rows as an aligned plain-text table, numbers right-aligned, for humans. Cells are
 * shown {@link terminalSafe}: a checkpoint named with escape sequences cannot drive the terminal
 * (and escaping before measuring keeps the columns aligned).
 *
 * @example
 * ```ts
 * renderTable(['CHECKPOINT', 'PERMISSIONS'], [['ft:a', 3]]);
 * // 'CHECKPOINT  PERMISSIONS\nft:a                  3\n'
 * ```
 */
export function renderTable(
  headers: readonly string[],
  rows: ReadonlyArray<ReadonlyArray<string | number>>,
): string {
  const cells = rows.map((row) =>
    row.map((cell) =>
      typeof cell === 'number' ? cell.toLocaleString('en-US') : terminalSafe(cell),
    ),
  );
  const numeric = headers.map(
    (_, i) => rows.length > 0 && rows.every((row) => typeof row[i] === 'number'),
  );
  const widths = headers.map((header, i) =>
    Math.max(header.length, ...cells.map((row) => (row[i] ?? '').length)),
  );
  const render = (row: readonly string[]): string =>
    row
      .map((cell, i) => (numeric[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [render(headers.map(terminalSafe)), ...cells.map(render)]
    .map((line) => `${line}\n`)
    .join('');
}

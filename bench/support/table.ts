/** A table of figures, as printed and as stored in the JSON results. */
export interface Table {
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<ReadonlyArray<string | number>>;
}

/**
 * Formats a table for a terminal: text left-aligned, numbers right-aligned, so that columns of
 * figures can be compared at a glance.
 *
 * @example
 * ```ts
 * formatTable({ title: 'Sequential', columns: ['contender', 'pages/s'], rows: [['undici', 1140]] });
 * ```
 */
export function formatTable(table: Table): string {
  const cells = [table.columns, ...table.rows].map((row) => row.map(String));
  const widths = table.columns.map((_, i) => Math.max(...cells.map((row) => row[i]?.length ?? 0)));
  const numeric = table.columns.map((_, i) =>
    table.rows.every((row) => typeof row[i] === 'number'),
  );
  const line = (row: readonly string[]): string =>
    row
      .map((cell, i) => (numeric[i] ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const [header = [], ...body] = cells;
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [table.title, line(header), rule, ...body.map(line)].join('\n');
}

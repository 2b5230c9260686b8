import pc from 'picocolors';

/**
 * Aligned columns under a bold header, two spaces apart; the last column is not padded (it may be long).
 * `color` styles one cell of a body row (row and column indices) after padding, so colors do not skew widths.
 */
export function formatTable(head: readonly string[], rows: readonly (readonly string[])[], color: (row: number, column: number, cell: string) => string = (_r, _c, s) => s): string {
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[], style: (c: number, s: string) => string): string =>
    cells
      .map((cell, c) => style(c, c === cells.length - 1 ? cell : cell.padEnd(widths[c] ?? 0)))
      .join('  ')
      .trimEnd();
  return [pc.bold(line(head, (_c, s) => s)), ...rows.map((r, i) => line(r, (c, s) => color(i, c, s)))].join('\n');
}

// Plain-text tables for the benchmark report: a title, a header row, right-aligned figures.

export type Cell = string | number;

/** Formats a number with `digits` decimals, or "-" when there is none. */
export function fixed(n: number | null | undefined, digits = 1): string {
  return n === null || n === undefined || !Number.isFinite(n) ? "-" : n.toFixed(digits);
}

/** Millions, for instruction counts: 2301.8M. */
export function millions(n: number | null | undefined): string {
  return n === null || n === undefined ? "-" : `${(n / 1e6).toFixed(1)}M`;
}

export function formatTable(title: string, header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const text = rows.map((row) => row.map((c) => String(c)));
  const widths = header.map((h, k) => Math.max(h.length, ...text.map((r) => (r[k] ?? "").length)));
  // The first column is a label (left-aligned); the others are figures.
  const line = (cells: readonly string[]) =>
    cells.map((c, k) => (k === 0 ? c.padEnd(widths[k]) : c.padStart(widths[k]))).join("  ");
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  return [title, line(header), rule, ...text.map(line)].join("\n");
}

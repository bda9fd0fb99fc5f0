/** Fixed-width text tables and the number formats of every printed report. */

/** Columns padded to their widest cell: the first left-aligned, the rest right-aligned. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export const ms = (n: number) =>
  n >= 10_000 ? `${(n / 1000).toFixed(1)} s` : n < 10 ? `${n.toFixed(1)} ms` : `${Math.round(n)} ms`;
/** A figure a result stored before it existed lacks. */
export const opt = (n: number | undefined, f: (n: number) => string) => (n === undefined ? '-' : f(n));
export const pct = (n: number) => `${n.toFixed(1)}%`;

import { table } from './text-table';
import type { Comparison } from './compare';
import { formatFigure } from './figures';
import { describeRegression, type RegressionCheck } from './regression';

export function formatChange(pct: number | undefined): string {
  if (pct === undefined) return '-';
  if (!Number.isFinite(pct)) return pct > 0 ? '+∞' : '-∞';
  return `${pct >= 0 ? '+' : ''}${pct.toFixed(1)}%`;
}

/** One line per parameter that differs between the two runs. */
export function formatDifferences(c: Comparison): string[] {
  return c.differences.map(
    (d) =>
      `warning: ${d.name} differs: ${JSON.stringify(d.baseline)} in the baseline, ${JSON.stringify(d.run)} in the run`,
  );
}

/** The two runs side by side: one row per figure of the flow and of each step, with the change. */
export function formatComparison(c: Comparison): string {
  const head = `baseline ${c.baseline.run_id}  →  run ${c.run.run_id}  (${c.run.flow})`;
  const width = Math.max(...c.rows.map((r) => r.scope.length));
  let last = '';
  const rows = c.rows.map((r) => {
    const scope = r.scope === last ? '' : r.scope;
    last = r.scope;
    return [
      `${scope.padEnd(width)}  ${r.metric}`,
      formatFigure(r.metric, r.baseline),
      formatFigure(r.metric, r.run),
      formatChange(r.change_pct),
    ];
  });
  return `${head}\n\n${table([`${'scope'.padEnd(width)}  metric`, 'baseline', 'run', 'change'], rows)}`;
}

export function formatRegressions(checks: RegressionCheck[]): string {
  return checks
    .map((c) => `${c.passed ? 'PASS' : 'FAIL'}  max-regression ${c.limit.text}: ${describeRegression(c)}`)
    .join('\n');
}

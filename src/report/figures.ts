import { METRIC_UNITS, type ComparedMetric } from './compare';

/** A figure in its metric's unit, as the tables print it. */
export function formatFigure(metric: ComparedMetric, n: number | undefined): string {
  if (n === undefined) return '-';
  if (metric === 'success_rate') return `${n.toFixed(1)}%`;
  if (metric === 'throughput') return `${n.toFixed(2)}/s`;
  return `${n.toFixed(n < 10 ? 1 : 0)} ${METRIC_UNITS[metric]}`;
}

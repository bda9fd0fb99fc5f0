import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './spawn';

export interface ContractMetric {
  name: string;
  type: string;
}

/**
 * The metric contract of docs/monitoring.md: the rows of its contract table, a markdown table whose first column is
 * the backticked metric name and whose second is its type (counter, histogram, gauge…).
 */
export function contractMetrics(
  doc = fs.readFileSync(path.join(ROOT, 'docs/monitoring.md'), 'utf8'),
): ContractMetric[] {
  const section = doc.split(/^## /m).find((s) => s.startsWith('The metrics'));
  if (!section) throw new Error("docs/monitoring.md has no '## The metrics …' section");
  return [...section.matchAll(/^\|\s*`([a-z_:][a-z0-9_:]*)`\s*\|\s*([^|]+?)\s*\|/gm)].map((m) => ({
    name: m[1],
    type: m[2].split(/[ ,]/)[0],
  }));
}

/** The series names a metric of this type shows in Prometheus (a histogram has no series of its bare name). */
export function seriesNames(metric: ContractMetric): string[] {
  return metric.type === 'histogram' ? ['_bucket', '_count', '_sum'].map((s) => metric.name + s) : [metric.name];
}

import fs from 'node:fs';
import path from 'node:path';
import { contractMetrics, seriesNames } from './metrics-contract';
import { ROOT } from './spawn';

/**
 * A reader of the metric names a PromQL expression reads, from the Prometheus project's own grammar
 * (lezer-promql): each vector selector's name, and `{__name__="…"}` matchers. It throws, naming the position,
 * when an expression does not parse. (The grammar's package is an ES module, hence loaded with import().)
 */
export async function promqlMetricNamesReader(): Promise<(expr: string) => string[]> {
  const { parser } = await import('@prometheus-io/lezer-promql');
  return (expr) => metricNames(parser.parse(expr), expr);
}

/** What the grammar's parser returns (lezer's Tree), as far as this reads it. */
interface Tree {
  iterate(spec: {
    enter(node: {
      name: string;
      from: number;
      type: { isError: boolean };
      node: { getChild(name: string): { from: number; to: number } | null };
    }): void;
  }): void;
}

function metricNames(tree: Tree, expr: string): string[] {
  const names: string[] = [];
  let error: number | undefined;
  tree.iterate({
    enter(node) {
      if (node.type.isError) error ??= node.from;
      if (node.name === 'VectorSelector') {
        const id = node.node.getChild('Identifier');
        if (id) names.push(expr.slice(id.from, id.to));
      }
      if (node.name === 'UnquotedLabelMatcher' || node.name === 'QuotedLabelMatcher') {
        const label = node.node.getChild('LabelName');
        const value = node.node.getChild('StringLiteral');
        if (label && value && expr.slice(label.from, label.to) === '__name__')
          names.push(expr.slice(value.from + 1, value.to - 1));
      }
    },
  });
  if (error !== undefined)
    throw new Error(`PromQL does not parse at ${error}: ${expr.slice(error, error + 40) || '(end)'}`);
  return names;
}

/** Metric names the project's code creates with prom-client (`name: '…'` in a file that imports prom-client). */
export function codeMetricNames(dir = path.join(ROOT, 'src')): string[] {
  const names: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const text = fs.readFileSync(path.join(entry.parentPath, entry.name), 'utf8');
    if (!/from 'prom-client'/.test(text)) continue;
    names.push(...[...text.matchAll(/\bname: '([a-zA-Z_:][a-zA-Z0-9_:]*)'/g)].map((m) => m[1]));
  }
  return names;
}

/**
 * The series names the project exports, as a query may name them: each contract metric's series (a histogram's
 * `_bucket`, `_count`, `_sum`), and the names the code creates, with or without those suffixes.
 */
export function knownSeries(): (name: string) => boolean {
  const contract = new Set(contractMetrics().flatMap(seriesNames));
  const code = new Set(codeMetricNames());
  return (name) => contract.has(name) || code.has(name) || code.has(name.replace(/_(bucket|count|sum)$/, ''));
}

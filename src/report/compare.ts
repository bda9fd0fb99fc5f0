import { FLOWS, isFlowName } from '../flows/catalog';
import type { StandardResult } from '../result/schema';

/** What a comparison shows, for the flow and for each step. */
export const COMPARED_METRICS = ['success_rate', 'throughput', 'p50', 'p95', 'p99'] as const;
export type ComparedMetric = (typeof COMPARED_METRICS)[number];

/** Success rate and throughput get worse as they fall; latencies as they rise. */
export const HIGHER_IS_BETTER: Record<ComparedMetric, boolean> = {
  success_rate: true,
  throughput: true,
  p50: false,
  p95: false,
  p99: false,
};

export const METRIC_UNITS: Record<ComparedMetric, string> = {
  success_rate: '%',
  throughput: '/s',
  p50: 'ms',
  p95: 'ms',
  p99: 'ms',
};

export interface ComparedRow {
  /** `flow`, or the step's name. */
  scope: string;
  metric: ComparedMetric;
  baseline?: number;
  run?: number;
  /** Relative change in percent (undefined when either side is missing; Infinity from a zero baseline). */
  change_pct?: number;
}

export interface ParamDifference {
  name: string;
  baseline: unknown;
  run: unknown;
}

export interface Comparison {
  baseline: StandardResult;
  run: StandardResult;
  rows: ComparedRow[];
  /** Parameters that differ, so a change can be told from a different experiment. */
  differences: ParamDifference[];
}

/** The compared figures of one result, keyed `p95` for the flow and `video_rendering.p95` for a step. */
export function comparedValues(r: StandardResult): Map<string, number> {
  const values = new Map<string, number>([
    ['success_rate', r.success_rate],
    ['throughput', r.operations_per_second],
    ['p50', r.p50_duration_ms],
    ['p95', r.p95_duration_ms],
    ['p99', r.p99_duration_ms],
  ]);
  for (const [step, s] of Object.entries(r.step_analysis)) {
    values.set(`${step}.success_rate`, s.success_rate);
    // A step's throughput: its executions over the run's wall time, as the result states both.
    values.set(`${step}.throughput`, r.total_duration_seconds > 0 ? s.executions / r.total_duration_seconds : 0);
    values.set(`${step}.p50`, s.p50_duration_ms);
    values.set(`${step}.p95`, s.p95_duration_ms);
    values.set(`${step}.p99`, s.p99_duration_ms);
  }
  return values;
}

/** Relative change from `base` to `value` in percent; a zero baseline gives 0 (unchanged) or ±Infinity. */
export function changePct(base: number, value: number): number {
  if (base === 0) return value === 0 ? 0 : value > 0 ? Infinity : -Infinity;
  return ((value - base) / Math.abs(base)) * 100;
}

/** The steps of both results: in the flow's catalog order, then any the catalog does not name. */
function stepsOf(baseline: StandardResult, run: StandardResult): string[] {
  const present = new Set([...Object.keys(baseline.step_analysis), ...Object.keys(run.step_analysis)]);
  const catalog: readonly string[] = isFlowName(run.flow) ? FLOWS[run.flow].steps : [];
  return [...catalog.filter((s) => present.has(s)), ...[...present].filter((s) => !catalog.includes(s))];
}

export function paramDifferences(baseline: StandardResult, run: StandardResult): ParamDifference[] {
  const out: ParamDifference[] = [];
  if (baseline.flow !== run.flow) out.push({ name: 'flow', baseline: baseline.flow, run: run.flow });
  const names = new Set([...Object.keys(baseline.params), ...Object.keys(run.params)]);
  for (const name of names) {
    const a = (baseline.params as Record<string, unknown>)[name];
    const b = (run.params as Record<string, unknown>)[name];
    if (JSON.stringify(a) !== JSON.stringify(b)) out.push({ name, baseline: a, run: b });
  }
  return out;
}

/** Both runs' figures side by side, with the change in percent, for the flow and each step. */
export function compareRuns(baseline: StandardResult, run: StandardResult): Comparison {
  const a = comparedValues(baseline);
  const b = comparedValues(run);
  const rows: ComparedRow[] = [];
  for (const scope of ['flow', ...stepsOf(baseline, run)]) {
    for (const metric of COMPARED_METRICS) {
      const key = scope === 'flow' ? metric : `${scope}.${metric}`;
      const [x, y] = [a.get(key), b.get(key)];
      rows.push({
        scope,
        metric,
        baseline: x,
        run: y,
        change_pct: x !== undefined && y !== undefined ? changePct(x, y) : undefined,
      });
    }
  }
  return { baseline, run, rows, differences: paramDifferences(baseline, run) };
}

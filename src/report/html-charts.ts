import type { StandardResult } from '../result/schema';
import type { FlowReport } from './flow-report';
import { breakpointChart } from './html-breakpoint';
import { color, type ChartSpec, type Dataset } from './html-chart-spec';
import { timeCharts } from './html-time-charts';

export type { ChartSpec } from './html-chart-spec';

function options(yTitle: string, stacked = false, xTitle?: string): object {
  return {
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    plugins: { legend: { position: 'bottom' } },
    scales: {
      x: { stacked, ...(xTitle ? { title: { display: true, text: xTitle } } : {}) },
      y: { stacked, beginAtZero: true, title: { display: true, text: yTitle } },
    },
  };
}

function bar(
  id: string,
  title: string,
  labels: string[],
  datasets: Dataset[],
  yTitle: string,
  stacked = false,
): ChartSpec {
  const colored = datasets.map((d, i) => ({ ...d, backgroundColor: d.backgroundColor ?? color(i) }));
  const config = { type: 'bar' as const, data: { labels, datasets: colored }, options: options(yTitle, stacked) };
  return { id, title, group: 'steps', config };
}

/** A step's numeric field whose name starts with `prefix` and mentions `quantile` (e.g. service_p50_ms). */
function splitField(step: object, prefix: 'service_' | 'overhead_', quantile: string): number | undefined {
  const entry = Object.entries(step).find(
    ([k, v]) => k.startsWith(prefix) && k.includes(quantile) && typeof v === 'number',
  );
  return entry?.[1] as number | undefined;
}

/** Service time vs orchestration overhead per step, when the result carries the split. */
function splitChart(id: string, r: StandardResult, steps: string[]): ChartSpec | undefined {
  const datasets: Dataset[] = [];
  for (const [q, shade] of [
    ['p50', 0],
    ['p95', 2],
  ] as const) {
    const service = steps.map((s) => splitField(r.step_analysis[s], 'service_', q));
    const overhead = steps.map((s) => splitField(r.step_analysis[s], 'overhead_', q));
    if (service.every((v) => v === undefined) || overhead.every((v) => v === undefined)) continue;
    datasets.push(
      { label: `service ${q}`, data: service.map((v) => v ?? 0), stack: q, backgroundColor: color(shade) },
      { label: `overhead ${q}`, data: overhead.map((v) => v ?? 0), stack: q, backgroundColor: color(shade + 1) },
    );
  }
  if (!datasets.length) return undefined;
  return bar(id, 'Service time vs orchestration overhead per step', steps, datasets, 'ms', true);
}

/** A time series under `load` (a shape no run writes: results carry `series`), charted field by field. */
function loadSeries(r: StandardResult): Array<Record<string, number>> | undefined {
  const load = (r as { load?: { series?: unknown } }).load;
  if (!load || !Array.isArray(load.series) || !load.series.length) return undefined;
  return load.series.filter((p): p is Record<string, number> => typeof p === 'object' && p !== null);
}

const TIME_KEY = /^(t|at|time|start|elapsed|offset|interval_start)(_s|_seconds|_ms)?$|^(t|elapsed|offset)_/;

/** Throughput, flows in flight and p95 over time, from the series; each chart only for fields it has. */
function legacyTimeCharts(prefix: string, series: Array<Record<string, number>>): ChartSpec[] {
  const numeric = Object.keys(series[0]).filter((k) =>
    series.every((p) => typeof p[k] === 'number' || p[k] === undefined),
  );
  const timeKey = numeric.find((k) => TIME_KEY.test(k)) ?? numeric[0];
  const labels = series.map((p, i) => p[timeKey] ?? i);
  const groups: Array<[string, string, RegExp]> = [
    ['Throughput over time', 'flows/s', /rate|per_second|throughput/],
    ['Flows in flight over time', 'flows', /in_flight|inflight|running/],
    ['p95 over time', 'ms', /p95/],
  ];
  const used = new Set([timeKey]);
  const charts: ChartSpec[] = [];
  groups.forEach(([title, unit, pattern], g) => {
    const keys = numeric.filter((k) => !used.has(k) && pattern.test(k));
    keys.forEach((k) => used.add(k));
    if (!keys.length) return;
    const datasets = keys.map((k, i) => ({
      label: k,
      data: series.map((p) => p[k] ?? 0),
      borderColor: color(g * 2 + i),
      backgroundColor: color(g * 2 + i),
    }));
    charts.push({
      id: `${prefix}-time-${g}`,
      title,
      group: 'time',
      config: { type: 'line', data: { labels, datasets }, options: options(unit, false, timeKey) },
    });
  });
  return charts;
}

/** Every chart of one flow's section, in the order the page shows them. */
export function chartsFor(flow: FlowReport, index: number): ChartSpec[] {
  const r = flow.result;
  if (!r) return [];
  const prefix = `flow${index}`;
  const steps = Object.keys(r.step_analysis);
  const charts: ChartSpec[] = [];
  const series = loadSeries(r);
  if (r.series?.points.length) charts.push(...timeCharts(prefix, r));
  else if (series) charts.push(...legacyTimeCharts(prefix, series));
  const search = breakpointChart(prefix, r);
  if (search) charts.push(search);
  charts.push(
    bar(
      `${prefix}-latency`,
      'Step latency: p50, p95, p99',
      steps,
      (['p50', 'p95', 'p99'] as const).map((q) => ({
        label: q,
        data: steps.map((s) => r.step_analysis[s][`${q}_duration_ms`]),
      })),
      'ms',
    ),
  );
  const split = splitChart(`${prefix}-split`, r, steps);
  if (split) charts.push(split);
  const failed = Object.entries(r.failure_points);
  if (failed.length) {
    charts.push(
      bar(
        `${prefix}-failures`,
        'Failure points',
        failed.map(([s]) => s),
        [{ label: 'failed flows', data: failed.map(([, n]) => n), backgroundColor: color(2) }],
        'flows',
      ),
    );
  }
  if (flow.comparison) {
    const c = flow.comparison;
    const scopes = ['flow', ...steps];
    const p95 = (res: StandardResult, s: string) =>
      s === 'flow' ? res.p95_duration_ms : (res.step_analysis[s]?.p95_duration_ms ?? 0);
    charts.push(
      bar(
        `${prefix}-baseline`,
        `p95 against the baseline ${c.baseline.run_id}`,
        scopes,
        [
          { label: 'baseline', data: scopes.map((s) => p95(c.baseline, s)), backgroundColor: '#9aa5b1' },
          { label: 'this run', data: scopes.map((s) => p95(c.run, s)), backgroundColor: color(0) },
        ],
        'ms',
      ),
    );
  }
  return charts;
}

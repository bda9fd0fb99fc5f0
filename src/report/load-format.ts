import type { StandardResult } from '../result/schema';
import { ms, opt, pct, table } from './text-table';

const rate = (n: number) => `${n.toFixed(2)}/s`;
const MAX_ROWS = 12;

type Point = NonNullable<StandardResult['series']>['points'][number];

/** Neighbouring points combined so a long series prints in a few rows (p95 and in-flight: the larger). */
function combine(points: Point[], intervalSeconds: number): Array<Point & { seconds: number }> {
  const per = Math.max(1, Math.ceil(points.length / MAX_ROWS));
  const rows: Array<Point & { seconds: number }> = [];
  for (let i = 0; i < points.length; i += per) {
    const group = points.slice(i, i + per);
    const sum = (k: 'started' | 'completed' | 'failed' | 'dropped' | 'scheduled') =>
      group.reduce((n, p) => n + p[k], 0);
    const seconds = group.length * intervalSeconds;
    rows.push({
      t_seconds: group[0].t_seconds,
      started: sum('started'),
      completed: sum('completed'),
      failed: sum('failed'),
      dropped: sum('dropped'),
      scheduled: sum('scheduled'),
      achieved_rate: sum('started') / seconds,
      p95_duration_ms: Math.max(...group.map((p) => p.p95_duration_ms)),
      ...(group[0].p95_response_ms === undefined
        ? {}
        : { p95_response_ms: Math.max(...group.map((p) => p.p95_response_ms ?? 0)) }),
      in_flight: Math.max(...group.map((p) => p.in_flight)),
      seconds,
    });
  }
  return rows;
}

/** The load a run offered and took, its time series, and a breakpoint search's steps; empty without a load section. */
export function formatLoad(r: StandardResult): string[] {
  const l = r.load;
  if (!l) return [];
  const offered = l.offered_rate !== undefined ? `offered ${rate(l.offered_rate)} vs achieved ` : 'achieved ';
  const lines = [
    '',
    `load: ${l.model} model  ·  ${offered}${rate(l.achieved_rate)}  ·  ${l.started}/${l.scheduled} started, ` +
      `${l.dropped} dropped  ·  peak ${l.peak_in_flight}/${l.max_in_flight} in flight`,
  ];
  if (l.model !== 'closed') {
    const late = l.lateness_ms;
    lines.push(`start lateness: p50 ${ms(late.p50)}  p95 ${ms(late.p95)}  p99 ${ms(late.p99)}  max ${ms(late.max)}`);
  }
  if (r.response_p95_ms !== undefined) {
    lines.push(
      `response from the scheduled start: p50 ${opt(r.response_p50_ms, ms)}  p95 ${ms(r.response_p95_ms)}` +
        `  p99 ${opt(r.response_p99_ms, ms)}  (flow duration p95 ${ms(r.p95_duration_ms)})`,
    );
  }
  const series = r.series;
  if (series?.points.length) lines.push('', seriesTable(series));
  const b = l.breakpoint;
  if (b) {
    lines.push(
      '',
      table(
        ['step rate', 'started', 'dropped', 'success', 'flow p95', 'late p95', 'verdict'],
        b.steps.map((s) => [
          rate(s.rate),
          `${s.started}/${s.scheduled}`,
          String(s.dropped),
          pct(s.success_rate),
          ms(s.p95_duration_ms),
          ms(s.lateness_ms.p95),
          s.tester_limited ? 'tester limit' : s.passed ? 'held' : 'failed',
        ]),
      ),
      breakpointLine(b),
    );
  }
  return lines;
}

/** The series in a few rows; a response p95 column when the flows had scheduled starts. */
function seriesTable(series: NonNullable<StandardResult['series']>): string {
  const response = series.points.some((p) => p.p95_response_ms !== undefined);
  const rows = combine(series.points, series.interval_seconds).map((p) => [
    `${p.t_seconds.toFixed(0)}s+${p.seconds.toFixed(0)}s`,
    String(p.started),
    String(p.dropped),
    String(p.completed),
    String(p.failed),
    rate(p.achieved_rate),
    ms(p.p95_duration_ms),
    ...(response ? [opt(p.p95_response_ms, ms)] : []),
    String(p.in_flight),
  ]);
  const headers = ['interval', 'started', 'dropped', 'done', 'failed', 'rate', 'flow p95'];
  return table([...headers, ...(response ? ['resp p95'] : []), 'in flight'], rows);
}

export function breakpointLine(b: NonNullable<NonNullable<StandardResult['load']>['breakpoint']>): string {
  switch (b.verdict) {
    case 'found':
      return `breakpoint: held ${rate(b.highest_passing_rate ?? 0)}, failed at ${rate(b.first_failing_rate ?? 0)}`;
    case 'lowest_failed':
      return `breakpoint: even the lowest rate ${rate(b.first_failing_rate ?? 0)} failed`;
    case 'tester_limit':
      return `no breakpoint: the tester was the limit at ${rate(b.first_failing_rate ?? 0)} (starts late or dropped while the platform was healthy)`;
    case 'not_found':
      return `no breakpoint up to ${rate(b.highest_passing_rate ?? 0)}: every step held`;
    default:
      return 'breakpoint search running';
  }
}

import type { StandardResult } from '../result/schema';
import type { ChartSpec, Dataset, XY } from './html-chart-spec';
import { timeMarks, type TimeMark } from './html-marks';

type Series = NonNullable<StandardResult['series']>;
type Point = Series['points'][number];

const C = { started: '#4e79a7', done: '#59a14f', failed: '#e15759', dropped: '#edc948', grey: '#7b8794' };

/** Where the run's time axis ends: its last interval's end, or its wall time if that is later. */
export function runEnd(r: StandardResult): number {
  const points = r.series?.points ?? [];
  const last = points.length ? points[points.length - 1].t_seconds + (r.series?.interval_seconds ?? 0) : 0;
  return Math.max(last, r.total_duration_seconds);
}

function timeOptions(yTitle: string, end: number): object {
  return {
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    interaction: { mode: 'nearest', axis: 'x', intersect: false },
    plugins: { legend: { position: 'bottom' } },
    scales: {
      x: { type: 'linear', min: 0, max: end, title: { display: true, text: 'seconds since the run started' } },
      y: { beginAtZero: true, title: { display: true, text: yTitle } },
    },
  };
}

const line = (label: string, data: XY[], c: string, extra: Partial<Dataset> = {}): Dataset => ({
  label,
  data,
  borderColor: c,
  backgroundColor: c,
  pointRadius: data.length > 60 ? 0 : 2,
  borderWidth: 2,
  ...extra,
});

const of = (points: Point[], f: (p: Point) => number): XY[] => points.map((p) => ({ x: p.t_seconds, y: f(p) }));

/** The open model's planned rate: from start_rate, linear to each stage's target over its duration. */
export function plannedRate(load: NonNullable<StandardResult['load']>): XY[] {
  if (!load.stages?.length) return [];
  const plan: XY[] = [{ x: 0, y: load.start_rate ?? 0 }];
  let t = 0;
  for (const s of load.stages) {
    t += s.duration_seconds;
    plan.push({ x: t, y: s.target_rate });
  }
  return plan;
}

function rateDatasets(r: StandardResult, s: Series): Dataset[] {
  const sets = [
    line(
      'achieved (starts/s)',
      of(s.points, (p) => p.achieved_rate),
      C.started,
    ),
  ];
  const load = r.load;
  if (!load || load.model === 'closed') return sets;
  sets.push(
    line(
      'offered (scheduled/s)',
      of(s.points, (p) => p.scheduled / s.interval_seconds),
      C.grey,
    ),
  );
  const plan = load.model === 'open' ? plannedRate(load) : [];
  if (plan.length)
    sets.push(
      line('planned stages', plan, '#1f2933', { borderDash: [6, 4], pointRadius: 0, backgroundColor: 'transparent' }),
    );
  return sets;
}

type NumericField = Exclude<keyof Point, 'p95_response_ms'>;

/** One field of every point, as a line. */
const fieldLine = (points: Point[], label: string, field: NumericField, c: string) =>
  line(
    label,
    of(points, (p) => p[field]),
    c,
  );

/** Flows started, done and failed per interval (and dropped, when any start was). */
function flowDatasets(p: Point[]): Dataset[] {
  const sets = [
    fieldLine(p, 'started', 'started', C.started),
    // Failed flows are among the done ones: drawn over them, not hidden under.
    { ...fieldLine(p, 'done (failed included)', 'completed', C.done), order: 2 },
    { ...fieldLine(p, 'failed', 'failed', C.failed), order: 1 },
  ];
  if (p.some((x) => x.dropped > 0)) sets.push(fieldLine(p, 'dropped', 'dropped', C.dropped));
  return sets;
}

/** Flow p95 per interval, and response p95 (from the intended start) when the result has it. */
function p95Datasets(p: Point[]): Dataset[] {
  const sets = [fieldLine(p, 'flow p95 (duration)', 'p95_duration_ms', C.started)];
  if (p.some((x) => x.p95_response_ms !== undefined)) {
    const response = of(p, (x) => x.p95_response_ms ?? 0);
    sets.push(line('response p95 (from the intended start)', response, C.failed));
  }
  return sets;
}

/**
 * The run over time, from its series: flows started, done and failed per interval, flows in flight, flow p95
 * (and response p95) per interval, and the rate; each with the run's marks (kills, faults, live controls).
 */
export function timeCharts(prefix: string, r: StandardResult): ChartSpec[] {
  const s = r.series;
  if (!s?.points.length) return [];
  const end = runEnd(r);
  const marks: TimeMark[] = timeMarks(r, end);
  const p = s.points;
  const chart = (id: string, title: string, yTitle: string, datasets: Dataset[]): ChartSpec => ({
    id: `${prefix}-${id}`,
    title,
    group: 'time',
    marks,
    config: { type: 'line', data: { datasets }, options: timeOptions(yTitle, end) },
  });
  const open = r.load && r.load.model !== 'closed';
  return [
    chart('flows-time', `Flows per ${s.interval_seconds} s interval`, 'flows', flowDatasets(p)),
    chart('inflight-time', 'Flows in flight', 'flows', [fieldLine(p, 'in flight', 'in_flight', C.grey)]),
    chart('p95-time', `p95 per ${s.interval_seconds} s interval`, 'ms', p95Datasets(p)),
    chart('rate-time', open ? 'Offered and achieved rate' : 'Start rate', 'flows/s', rateDatasets(r, s)),
  ];
}

import { emptyHistogram, quantile, record, type HistogramState } from './histogram';

/**
 * A run's load over time in fixed intervals, bounded for a run of any length: past MAX_POINTS intervals,
 * neighbours merge pairwise and the interval doubles. Only the newest interval keeps a duration histogram;
 * a closed interval keeps its p95, and a merged one the larger of its two (an upper bound). Plain JSON, pure code.
 */
export interface SeriesState {
  origin: number;
  interval_ms: number;
  points: PointState[];
  /** Flow durations of the newest point. */
  current: HistogramState;
  /** Flows in flight at the last event: an interval without events still shows them. */
  in_flight: number;
  /** Response times (from the scheduled start) of the newest point; absent until a flow has one (open model). */
  current_response?: HistogramState;
}

interface PointState {
  started: number;
  completed: number;
  failed: number;
  dropped: number;
  scheduled: number;
  peak_in_flight: number;
  /** The p95 of closed intervals merged into this point (0 when none). */
  p95_floor_ms: number;
  /** The same for response times (open model). */
  p95_response_floor_ms?: number;
}

export interface SeriesPoint {
  /** Seconds from the run's start to the interval's start. */
  t_seconds: number;
  started: number;
  completed: number;
  failed: number;
  dropped: number;
  /** Starts the schedule offered in the interval (open model; started + dropped). */
  scheduled: number;
  /** Starts per second in the interval. */
  achieved_rate: number;
  p95_duration_ms: number;
  /** Open model: p95 from the flows' scheduled starts to their ends. */
  p95_response_ms?: number;
  in_flight: number;
}

export interface Series {
  interval_seconds: number;
  points: SeriesPoint[];
}

export const MAX_POINTS = 1000;
export const DEFAULT_INTERVAL_MS = 5000;

const emptyPoint = (): PointState => ({
  started: 0,
  completed: 0,
  failed: 0,
  dropped: 0,
  scheduled: 0,
  peak_in_flight: 0,
  p95_floor_ms: 0,
});

export function emptySeries(origin: number, intervalMs = DEFAULT_INTERVAL_MS): SeriesState {
  return { origin, interval_ms: intervalMs, points: [], current: emptyHistogram(), in_flight: 0 };
}

const responseFloor = (p: PointState) => p.p95_response_floor_ms ?? 0;

function mergePairs(s: SeriesState): void {
  const merged: PointState[] = [];
  for (let i = 0; i < s.points.length; i += 2) {
    const a = s.points[i];
    const b = s.points[i + 1];
    if (!b) {
      merged.push(a);
      continue;
    }
    merged.push({
      started: a.started + b.started,
      completed: a.completed + b.completed,
      failed: a.failed + b.failed,
      dropped: a.dropped + b.dropped,
      scheduled: a.scheduled + b.scheduled,
      peak_in_flight: Math.max(a.peak_in_flight, b.peak_in_flight),
      // `a` is closed; `b` is closed too unless it is the newest, whose histogram stays open.
      p95_floor_ms: Math.max(a.p95_floor_ms, b.p95_floor_ms),
      ...(s.current_response ? { p95_response_floor_ms: Math.max(responseFloor(a), responseFloor(b)) } : {}),
    });
  }
  s.points = merged;
  s.interval_ms *= 2;
}

/** The point for time `at`, opening intervals (and closing the newest) as time moves on. */
function pointAt(s: SeriesState, at: number): PointState {
  let index = Math.max(0, Math.floor((at - s.origin) / s.interval_ms));
  while (index >= MAX_POINTS) {
    mergePairs(s);
    index = Math.max(0, Math.floor((at - s.origin) / s.interval_ms));
  }
  if (index < s.points.length) return s.points[Math.min(index, s.points.length - 1)];
  if (s.points.length) {
    const newest = s.points[s.points.length - 1];
    newest.p95_floor_ms = Math.max(newest.p95_floor_ms, quantile(s.current, 0.95));
    s.current = emptyHistogram();
    if (s.current_response) {
      newest.p95_response_floor_ms = Math.max(responseFloor(newest), quantile(s.current_response, 0.95));
      s.current_response = emptyHistogram();
    }
  }
  while (s.points.length <= index) s.points.push({ ...emptyPoint(), peak_in_flight: s.in_flight });
  return s.points[index];
}

/** A started flow; `inFlight` counts it. */
export function noteStart(s: SeriesState, at: number, inFlight: number): void {
  const p = pointAt(s, at);
  p.started += 1;
  p.scheduled += 1;
  s.in_flight = inFlight;
  p.peak_in_flight = Math.max(p.peak_in_flight, inFlight);
}

/** A start the schedule offered that could not be made. */
export function noteDrop(s: SeriesState, at: number): void {
  const p = pointAt(s, at);
  p.dropped += 1;
  p.scheduled += 1;
}

/**
 * A flow that ended, with its duration (and its response time, when a schedule set its start); `inFlight` no
 * longer counts it.
 */
export function noteCompletion(
  s: SeriesState,
  at: number,
  durationMs: number,
  failed: boolean,
  inFlight: number,
  responseMs?: number,
) {
  const p = pointAt(s, at);
  p.completed += 1;
  if (failed) p.failed += 1;
  s.in_flight = inFlight;
  p.peak_in_flight = Math.max(p.peak_in_flight, inFlight);
  const newest = p === s.points[s.points.length - 1];
  if (newest) record(s.current, durationMs);
  else p.p95_floor_ms = Math.max(p.p95_floor_ms, durationMs);
  if (responseMs === undefined) return;
  if (newest) record((s.current_response ??= emptyHistogram()), responseMs);
  else p.p95_response_floor_ms = Math.max(responseFloor(p), responseMs);
}

const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;

/** A point's response p95, or nothing for a series without response times (closed model). */
function responseP95(s: SeriesState, p: PointState, newest: boolean): { p95_response_ms?: number } {
  if (!s.current_response) return {};
  const open = newest ? quantile(s.current_response, 0.95) : 0;
  return { p95_response_ms: round(Math.max(responseFloor(p), open), 2) };
}

/** The series as the result shows it. */
export function seriesView(s: SeriesState): Series {
  const seconds = s.interval_ms / 1000;
  return {
    interval_seconds: seconds,
    points: s.points.map((p, i) => ({
      t_seconds: round(i * seconds),
      started: p.started,
      completed: p.completed,
      failed: p.failed,
      dropped: p.dropped,
      scheduled: p.scheduled,
      achieved_rate: round(p.started / seconds),
      p95_duration_ms: round(
        i === s.points.length - 1 ? Math.max(p.p95_floor_ms, quantile(s.current, 0.95)) : p.p95_floor_ms,
        2,
      ),
      ...responseP95(s, p, i === s.points.length - 1),
      in_flight: p.peak_in_flight,
    })),
  };
}

import type { LoadSection } from '../result/load-schema';
import { emptyHistogram, quantile, type HistogramState } from './histogram';

/** The counts a run keeps about the load it offered: plain JSON, carried across continue-as-new. */
export interface LoadTally {
  scheduled: number;
  started: number;
  dropped: number;
  peak_in_flight: number;
  /** Each start's lateness against its scheduled time, ms. */
  lateness: HistogramState;
  /** Workflow time of the latest start, epoch ms (0 before the first). */
  last_start_at: number;
}

export function emptyTally(): LoadTally {
  return { scheduled: 0, started: 0, dropped: 0, peak_in_flight: 0, lateness: emptyHistogram(), last_start_at: 0 };
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

export function latenessSummary(h: HistogramState): LoadSection['lateness_ms'] {
  return {
    p50: round(quantile(h, 0.5)),
    p95: round(quantile(h, 0.95)),
    p99: round(quantile(h, 0.99)),
    max: round(h.max),
  };
}

/**
 * The result's load section. `spanMs` is the time the load was offered over from `origin` (the schedule's length
 * in an open model, the elapsed time so far while it runs). The offered rate is per second over that span; the
 * achieved rate over the span or up to the last start, if that came later (starts that ran late lower it).
 */
export function loadSection(
  tally: LoadTally,
  meta: { model: LoadSection['model']; origin: number; spanMs: number; maxInFlight: number; open: boolean },
): LoadSection {
  const seconds = meta.spanMs / 1000;
  const achievedSeconds = Math.max(seconds, tally.started ? (tally.last_start_at - meta.origin) / 1000 : 0);
  return {
    model: meta.model,
    ...(meta.open ? { offered_rate: seconds > 0 ? round(tally.scheduled / seconds, 3) : 0 } : {}),
    achieved_rate: achievedSeconds > 0 ? round(tally.started / achievedSeconds, 3) : 0,
    scheduled: tally.scheduled,
    started: tally.started,
    dropped: tally.dropped,
    lateness_ms: latenessSummary(tally.lateness),
    peak_in_flight: tally.peak_in_flight,
    max_in_flight: meta.maxInFlight,
    duration_seconds: round(seconds, 3),
  };
}

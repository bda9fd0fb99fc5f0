import { checkThresholds, type Threshold } from '../result/thresholds';
import type { BreakpointStep, LoadSection } from '../result/load-schema';
import type { StandardResult } from '../result/schema';
import { latenessSummary, type LoadTally } from '../stats/load-section';
import { quantile } from '../stats/histogram';

/** A step whose starts were this late at p95 was held back by the tester (worker or Temporal), not the platform. */
export const LATE_LIMIT_MS = 1000;

/**
 * Judges one held step from the result of the flows started in it (dropped starts counted as failed). The step is
 * tester-limited when the flows that did start pass every threshold (the platform was healthy) yet its starts were
 * late or some were dropped: the offered rate was not really offered, so the search cannot go on.
 */
export function judgeStep(
  rate: number,
  result: StandardResult,
  tally: LoadTally,
  holdMs: number,
  thresholds: Threshold[],
): BreakpointStep {
  const checks = checkThresholds(result, thresholds);
  const passed = checks.every((c) => c.passed);
  const startedDone = result.completed_operations - tally.dropped;
  const startedOnly = {
    ...result,
    failed: result.failed - tally.dropped,
    success_rate: startedDone ? Math.round((10_000 * result.successful) / startedDone) / 100 : 100,
  };
  const healthyWithoutDrops = checkThresholds(startedOnly, thresholds).every((c) => c.passed);
  const late = quantile(tally.lateness, 0.95) > LATE_LIMIT_MS;
  return {
    rate,
    scheduled: tally.scheduled,
    started: tally.started,
    dropped: tally.dropped,
    successful: result.successful,
    failed: result.failed,
    success_rate: result.success_rate,
    p95_duration_ms: result.p95_duration_ms,
    achieved_rate: Math.round((tally.started / (holdMs / 1000)) * 1000) / 1000,
    lateness_ms: latenessSummary(tally.lateness),
    checks: checks.map((c) => ({ threshold: c.threshold.text, actual: c.actual ?? null, passed: c.passed })),
    passed,
    tester_limited: healthyWithoutDrops && (late || tally.dropped > 0),
  };
}

type Breakpoint = NonNullable<LoadSection['breakpoint']>;

/** The search's verdict from its steps so far; `done` once it stopped (a failed step or the last step). */
export function breakpointVerdict(
  steps: BreakpointStep[],
  done: boolean,
): Pick<Breakpoint, 'verdict' | 'highest_passing_rate' | 'first_failing_rate'> {
  const failedAt = steps.findIndex((s) => !s.passed || s.tester_limited);
  const highest = (failedAt < 0 ? steps : steps.slice(0, failedAt)).at(-1)?.rate ?? null;
  if (failedAt < 0) {
    return { verdict: done ? 'not_found' : 'running', highest_passing_rate: highest, first_failing_rate: null };
  }
  const failing = steps[failedAt];
  const verdict = failing.tester_limited ? 'tester_limit' : failedAt === 0 ? 'lowest_failed' : 'found';
  return { verdict, highest_passing_rate: highest, first_failing_rate: failing.rate };
}

/** The rate of step `i` (0-based): start × factor^i, kept to three decimals. */
export function stepRate(start: number, factor: number, i: number): number {
  return Math.round(start * factor ** i * 1000) / 1000;
}

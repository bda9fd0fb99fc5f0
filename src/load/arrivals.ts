import type { ArrivalPlan } from './shape';

/** Pure arrival-schedule arithmetic for the open model (workflow-safe: no I/O, no clock). */

const EPS = 1e-9;

/** The plan's length in ms. */
export function planDurationMs(plan: ArrivalPlan): number {
  return plan.stages.reduce((sum, s) => sum + s.duration_ms, 0);
}

/** The offered rate (flows/s) at `t` ms into the plan. */
export function rateAt(plan: ArrivalPlan, t: number): number {
  let from = plan.start_rate;
  let at = 0;
  for (const s of plan.stages) {
    if (t < at + s.duration_ms) return from + ((s.target_rate - from) * (t - at)) / s.duration_ms;
    at += s.duration_ms;
    from = s.target_rate;
  }
  return 0;
}

/** Expected arrivals from the plan's start to `t` ms: the integral of the rate. */
export function cumulativeArrivals(plan: ArrivalPlan, t: number): number {
  let from = plan.start_rate;
  let at = 0;
  let total = 0;
  for (const s of plan.stages) {
    const span = Math.min(Math.max(0, t - at), s.duration_ms) / 1000;
    const d = s.duration_ms / 1000;
    total += from * span + ((s.target_rate - from) * span * span) / (2 * d);
    if (t < at + s.duration_ms) break;
    at += s.duration_ms;
    from = s.target_rate;
  }
  return total;
}

/** How many starts the plan schedules: start k is due when k arrivals are expected (start 0 at once). */
export function plannedStarts(plan: ArrivalPlan): number {
  const expected = cumulativeArrivals(plan, planDurationMs(plan));
  const n = expected > EPS ? Math.ceil(expected - EPS) : 0;
  return plan.count === undefined ? n : Math.min(n, plan.count);
}

/** Starts due by `t` ms into the plan (capped at the planned total). */
export function startsDueBy(plan: ArrivalPlan, t: number, total = plannedStarts(plan)): number {
  if (total === 0 || t < 0) return 0;
  return Math.min(total, Math.floor(cumulativeArrivals(plan, t) + EPS) + 1);
}

/** The scheduled time (ms into the plan) of start `k`: where the expected arrivals reach k. */
export function scheduledAt(plan: ArrivalPlan, k: number): number {
  let from = plan.start_rate;
  let at = 0;
  let left = k;
  for (const s of plan.stages) {
    const d = s.duration_ms / 1000;
    const inStage = ((from + s.target_rate) / 2) * d;
    if (left <= inStage + EPS && inStage > 0) {
      const slope = (s.target_rate - from) / d;
      // Solve from·τ + slope·τ²/2 = left for the stage-relative time τ (seconds).
      const tau =
        Math.abs(slope) < EPS ? left / from : (-from + Math.sqrt(Math.max(0, from * from + 2 * slope * left))) / slope;
      return at + Math.min(s.duration_ms, Math.max(0, tau * 1000));
    }
    left -= inStage;
    at += s.duration_ms;
    from = s.target_rate;
  }
  return at;
}

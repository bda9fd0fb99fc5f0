import { breakpointVerdict, judgeStep, stepRate } from '../../load/breakpoint';
import type { ArrivalPlan, LoadShape } from '../../load/shape';
import type { LoadDriver, RunContext } from './context';
import { runWindow } from './closed';
import { offer } from './open';
import { stepResult } from './result';

type BreakpointShape = Extract<LoadShape, { model: 'breakpoint' }>;

/** The breakpoint search's schedule for step `i`: its rate held for the hold time. */
function stepPlan(shape: BreakpointShape, i: number): ArrivalPlan {
  const rate = stepRate(shape.start_rate, shape.step_factor, i);
  return { start_rate: rate, stages: [{ duration_ms: shape.hold_ms, target_rate: rate }] };
}

/** Offers the search's steps in turn; false when the run must continue as new first. */
async function search(run: RunContext, shape: BreakpointShape): Promise<boolean> {
  const { launcher, totals } = run;
  const steps = totals.load.steps!;
  const goOn = () =>
    !run.controls.stopped && steps.length < shape.max_steps && steps.every((s) => s.passed && !s.tester_limited);
  while (goOn()) {
    if (!totals.load.step) totals.beginStep(Date.now());
    if (!(await offer(run))) return false;
    // A flow counts toward the step it started in: the step is judged once they have all ended.
    await launcher.drained();
    // A step cut short by a stop is not judged: its flows count in the run's totals only.
    if (run.controls.stopped) break;
    run.controls.schedule = undefined;
    const step = totals.load.step!;
    const rate = stepRate(shape.start_rate, shape.step_factor, steps.length);
    steps.push(judgeStep(rate, stepResult(run, step.acc, step.tally), step.tally, shape.hold_ms, shape.thresholds));
    totals.load.step = undefined;
    if (launcher.mustContinue() && goOn()) return false;
  }
  totals.load.offerEnd = Date.now();
  return true;
}

/** The breakpoint search: rising rates, each held a while, until a step fails a threshold or the last is held. */
export function breakpointDriver(shape: BreakpointShape): LoadDriver {
  return {
    model: 'breakpoint',
    open: true,
    search: true,
    drive: (run) => search(run, shape),
    schedule: (run) =>
      run.totals.load.step
        ? { plan: stepPlan(shape, run.totals.load.steps!.length), origin: run.totals.load.origin, base: 0 }
        : undefined,
    totalOperations: (run) => run.totals.load.tally.scheduled,
    window: runWindow,
    describe(section, run) {
      const steps = run.totals.load.steps ?? [];
      section.breakpoint = {
        ...breakpointVerdict(steps, run.end.status === 'completed'),
        step_factor: shape.step_factor,
        hold_seconds: shape.hold_ms / 1000,
        steps,
      };
    },
  };
}

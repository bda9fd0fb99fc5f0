import { sleep } from '@temporalio/workflow';
import { planDurationMs, plannedStarts, scheduledAt, startsDueBy } from '../../load/arrivals';
import { TICK_MS, type ArrivalPlan, type LoadShape } from '../../load/shape';
import type { LoadDriver, RunContext } from './context';

type OpenShape = Extract<LoadShape, { model: 'open' }>;

/**
 * Paces the starts of `plan` from the schedule's origin by the workflow clock, one timer per tick: a start due
 * when the in-flight limit leaves no room is dropped. True once the plan is offered, false to continue as new.
 */
export async function offer(run: RunContext, plan: ArrivalPlan): Promise<boolean> {
  const { launcher } = run;
  const load = run.totals.load;
  const total = plannedStarts(plan);
  while (load.issued < total) {
    if (launcher.mustContinue()) return false;
    const due = startsDueBy(plan, Date.now() - load.origin, total);
    for (; load.issued < due; load.issued++) {
      // A start the cap refuses is dropped, not made up later.
      if (!launcher.hasRoom()) launcher.drop();
      else void launcher.launch(load.origin + scheduledAt(plan, load.issued));
    }
    if (load.issued >= total) break;
    const nextAt = scheduledAt(plan, load.issued);
    await sleep(Math.max(1, load.origin + Math.ceil(nextAt / TICK_MS) * TICK_MS - Date.now()));
  }
  return true;
}

/** The open model: starts paced from a rate schedule; the flows in flight outlive a continue-as-new. */
export function openDriver(shape: OpenShape): LoadDriver {
  return {
    model: 'open',
    open: true,
    search: false,
    drive: (run) => offer(run, shape),
    totalOperations: () => plannedStarts(shape),
    window: (run, now) => ({
      origin: run.totals.load.origin,
      spanMs: Math.min(planDurationMs(shape), now - run.totals.load.origin),
    }),
    describe(section) {
      section.start_rate = shape.start_rate;
      section.stages = shape.stages.map((s) => ({
        duration_seconds: s.duration_ms / 1000,
        target_rate: s.target_rate,
      }));
    },
  };
}

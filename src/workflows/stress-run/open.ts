import { condition } from '@temporalio/workflow';
import { planDurationMs, plannedStarts, scheduledAt, startsDueBy } from '../../load/arrivals';
import { TICK_MS, type LoadShape } from '../../load/shape';
import type { LoadDriver, RunContext } from './context';
import { currentSchedule } from './control';

type OpenShape = Extract<LoadShape, { model: 'open' }>;

/**
 * Paces the starts of the current schedule from its origin by the workflow clock, one timer per tick: a start due
 * when the in-flight limit leaves no room is dropped. A control wakes it: paused, it starts nothing until resumed;
 * stopped, it is done; a new rate is a new schedule. True once it is all offered, false to continue as new.
 */
export async function offer(run: RunContext): Promise<boolean> {
  const { launcher, controls } = run;
  const load = run.totals.load;
  for (;;) {
    if (controls.stopped) return true;
    if (controls.paused) {
      await condition(() => !controls.paused || controls.stopped);
      continue;
    }
    const { plan, origin, base } = currentSchedule(run)!;
    const total = plannedStarts(plan);
    if (load.issued - base >= total) return true;
    if (launcher.mustContinue()) return false;
    const due = startsDueBy(plan, Date.now() - origin, total);
    for (; load.issued - base < due; load.issued++) {
      // A start the cap refuses is dropped, not made up later.
      if (!launcher.hasRoom()) launcher.drop();
      else void launcher.launch(origin + scheduledAt(plan, load.issued - base));
    }
    if (load.issued - base >= total) return true;
    const nextAt = scheduledAt(plan, load.issued - base);
    const seen = controls.changes.length;
    // The tick's timer, cut short by a control (a timer and no more: no command when none comes).
    const tick = Math.max(1, origin + Math.ceil(nextAt / TICK_MS) * TICK_MS - Date.now());
    await condition(() => controls.changes.length !== seen, tick);
  }
}

/** Where the load's window ends: the schedule's end, or the stop if that came first. */
function offerEnd(run: RunContext, shape: OpenShape): number {
  const s = currentSchedule(run) ?? { plan: shape, origin: run.totals.load.origin };
  const end = s.origin + planDurationMs(s.plan);
  return Math.min(end, run.totals.load.offerEnd ?? end);
}

/** The open model: starts paced from a rate schedule; the flows in flight outlive a continue-as-new. */
export function openDriver(shape: OpenShape): LoadDriver {
  return {
    model: 'open',
    open: true,
    search: false,
    drive: (run) => offer(run),
    // Stopped: what was started or dropped; a rate set: what the schedule handled before, and the new one's starts.
    totalOperations: (run) => {
      const s = currentSchedule(run)!;
      return run.controls.stopped ? run.totals.load.tally.scheduled : s.base + plannedStarts(s.plan);
    },
    schedule: (run) => ({ plan: shape, origin: run.totals.load.origin, base: 0 }),
    window: (run, now) => ({
      origin: run.totals.load.origin,
      spanMs: Math.max(0, Math.min(offerEnd(run, shape), now) - run.totals.load.origin),
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

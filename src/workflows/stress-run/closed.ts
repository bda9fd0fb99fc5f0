import { condition } from '@temporalio/workflow';
import type { LoadShape } from '../../load/shape';
import type { LoadDriver, RunContext } from './context';

type ClosedShape = Extract<LoadShape, { model: 'closed' }>;

/** The window of a model whose load starts with the run and ends when it stops offering (or now). */
export function runWindow(run: RunContext, now: number): { origin: number; spanMs: number } {
  return { origin: run.startedAt, spanMs: (run.totals.load.offerEnd ?? now) - run.startedAt };
}

/**
 * The closed model: flows up to the in-flight limit at once, for `count` flows or, with a shape, until its
 * duration is up (time paused aside). It drains before it continues as new: its flows are the parent's children
 * until they end. Paused, it starts nothing until resumed; stopped, it starts nothing more.
 */
export function closedDriver(shape: ClosedShape | undefined): LoadDriver {
  return {
    model: 'closed',
    open: false,
    search: false,
    async drive(run) {
      const { launcher, controls } = run;
      // Time spent paused does not count toward the duration.
      const deadline = () => run.startedAt + shape!.duration_ms + controls.pausedMs;
      const more = () => !controls.stopped && (shape ? Date.now() < deadline() : launcher.next < run.input.count);
      while (more() && !launcher.mustContinue()) {
        await launcher.room();
        if (controls.paused) {
          await condition(() => !controls.paused || controls.stopped);
          continue;
        }
        if (!more()) break;
        void launcher.launch();
      }
      if (!more()) controls.offered = true;
      await launcher.drained();
      if (more()) return false;
      run.totals.load.offerEnd = Date.now();
      return true;
    },
    // A stopped run counts what it started.
    totalOperations: (run) => (shape || run.controls.stopped ? run.totals.load.tally.scheduled : run.input.count),
    window: runWindow,
  };
}

import type { LoadShape } from '../../load/shape';
import type { LoadDriver, RunContext } from './context';

type ClosedShape = Extract<LoadShape, { model: 'closed' }>;

/** The window of a model whose load starts with the run and ends when it stops offering (or now). */
export function runWindow(run: RunContext, now: number): { origin: number; spanMs: number } {
  return { origin: run.startedAt, spanMs: (run.totals.load.offerEnd ?? now) - run.startedAt };
}

/**
 * The closed model: flows up to the in-flight limit at once, for `count` flows or, with a shape, until its
 * duration is up. It drains before it continues as new: its flows are the parent's children until they end.
 */
export function closedDriver(shape: ClosedShape | undefined): LoadDriver {
  return {
    model: 'closed',
    open: false,
    search: false,
    async drive(run) {
      const { launcher } = run;
      const deadline = shape ? run.startedAt + shape.duration_ms : undefined;
      const more = () => (deadline === undefined ? launcher.next < run.input.count : Date.now() < deadline);
      while (more() && !launcher.mustContinue()) {
        await launcher.room();
        if (!more()) break;
        void launcher.launch();
      }
      await launcher.drained();
      if (more()) return false;
      run.totals.load.offerEnd = Date.now();
      return true;
    },
    totalOperations: (run) => (shape ? run.totals.load.tally.scheduled : run.input.count),
    window: runWindow,
  };
}

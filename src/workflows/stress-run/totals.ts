import type { FlowOutcome } from '../../flows/types';
import { addOutcome, emptyRun, type FlowSeen, type RunAccumulator } from '../../stats/aggregate';
import { record } from '../../stats/histogram';
import { emptyTally, type LoadTally } from '../../stats/load-section';
import { emptySeries, noteCompletion, noteDrop, noteStart } from '../../stats/series';
import type { LoadCarry, StressRunCarry } from './input';

/**
 * The run's one accumulator: the flows' totals, the offered load's tally and series, and the current breakpoint
 * step's own totals. Every start, end and drop is folded in here, into plain JSON that continue-as-new carries.
 */
export class RunTotals {
  constructor(
    readonly acc: RunAccumulator,
    readonly load: LoadCarry,
  ) {}

  /** Totals carried from the run before continue-as-new, or fresh ones (with a list of steps for a search). */
  static open(carried: StressRunCarry | undefined, startedAt: number, search: boolean): RunTotals {
    const load: LoadCarry = carried?.load ?? {
      tally: emptyTally(),
      series: emptySeries(startedAt),
      inFlight: [],
      origin: startedAt,
      issued: 0,
      ...(search ? { steps: [] } : {}),
    };
    return new RunTotals(carried?.acc ?? emptyRun(), load);
  }

  /** The tallies a start or drop counts in: the run's, and the current step's. */
  private tallies(): LoadTally[] {
    return this.load.step ? [this.load.tally, this.load.step.tally] : [this.load.tally];
  }

  /** A start issued at `at` with `inFlight` flows in flight; `scheduledFor` when a schedule set its time. */
  started(at: number, inFlight: number, scheduledFor?: number): void {
    for (const t of this.tallies()) {
      t.scheduled += 1;
      t.started += 1;
      t.last_start_at = at;
      t.peak_in_flight = Math.max(t.peak_in_flight, inFlight);
      if (scheduledFor !== undefined) record(t.lateness, at - scheduledFor);
    }
    noteStart(this.load.series, at, inFlight);
  }

  /** A flow (`seen`: its workflow id, and response time when scheduled) that ended at `at`, leaving `inFlight`. */
  ended(outcome: FlowOutcome, at: number, inFlight: number, seen?: FlowSeen): void {
    addOutcome(this.acc, outcome, seen);
    if (this.load.step) addOutcome(this.load.step.acc, outcome, seen);
    const failed = outcome.outcome === 'failed';
    noteCompletion(this.load.series, at, outcome.duration_ms, failed, inFlight, seen?.responseMs);
  }

  /** A start the in-flight cap refused: a failed operation, and a drop in the tallies. */
  dropped(at: number): void {
    for (const a of this.load.step ? [this.acc, this.load.step.acc] : [this.acc]) {
      a.failed += 1;
      a.failurePoints.dropped = (a.failurePoints.dropped ?? 0) + 1;
    }
    for (const t of this.tallies()) {
      t.scheduled += 1;
      t.dropped += 1;
    }
    noteDrop(this.load.series, at);
  }

  /** Opens a breakpoint step at `at`: its schedule starts over, with totals of its own. */
  beginStep(at: number): void {
    this.load.step = { acc: emptyRun(), tally: emptyTally() };
    this.load.origin = at;
    this.load.issued = 0;
  }
}

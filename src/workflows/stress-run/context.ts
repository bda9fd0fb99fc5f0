import type { LoadSection } from '../../result/load-schema';
import type { ChaosSection, StandardResult } from '../../result/schema';
import type { ControlState, Schedule, StressRunInput } from './input';
import type { Launcher } from './launcher';
import type { RunLimits } from './limits';
import type { RunTotals } from './totals';

/** One run of the stress-run parent, as its driver, launcher and result see it. */
export interface RunContext {
  readonly input: StressRunInput;
  readonly runId: string;
  /** Workflow time the whole stress run started (carried across continue-as-new). */
  readonly startedAt: number;
  readonly limits: RunLimits;
  readonly totals: RunTotals;
  readonly launcher: Launcher;
  readonly driver: LoadDriver;
  /** Set once the run ends; the summary query reads it. */
  readonly end: { status: StandardResult['status']; at?: number };
  /** Live control: paused, stopped, the schedule re-based, the changes accepted (src/workflows/stress-run/control.ts). */
  readonly controls: ControlState;
  /** Kills chaos made in the stack during the run, as signalled. */
  chaos?: ChaosSection;
}

/** How one load model offers its load, and what it adds to the result. */
export interface LoadDriver {
  model: LoadSection['model'];
  /** Starts follow a schedule (their lateness and the offered rate count), not free concurrency slots. */
  open: boolean;
  /** A breakpoint search keeps a list of judged steps. */
  search: boolean;
  /** Offers the load: true once it is all offered, false when the run must continue as new first. */
  drive(run: RunContext): Promise<boolean>;
  /** The operations the result counts so far. */
  totalOperations(run: RunContext): number;
  /** Where the load section's window starts, and how long the load has been offered by `now`. */
  window(run: RunContext, now: number): { origin: number; spanMs: number };
  /** The schedule it offers now, before any control re-based it (a closed model has none). */
  schedule?(run: RunContext): Schedule | undefined;
  /** Adds the model's own fields to the load section. */
  describe?(section: LoadSection, run: RunContext): void;
}

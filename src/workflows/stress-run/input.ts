import type { FlowInFlight } from '../../activities/load';
import type { FlowName } from '../../flows/catalog';
import type { SimSettings } from '../../flows/types';
import type { ArrivalPlan, LoadShape } from '../../load/shape';
import type { BreakpointStep } from '../../result/load-schema';
import type { ChaosSection, ControlChange } from '../../result/schema';
import type { Capacities } from '../../contracts/fault-profile';
import type { RunAccumulator } from '../../stats/aggregate';
import type { LoadTally } from '../../stats/load-section';
import type { SeriesState } from '../../stats/series';

/** Children started per run of the parent before it continues as new, keeping history far below its limits. */
export const CHILDREN_PER_RUN = 500;

/** Where the offered load stands: carried across continue-as-new with the flows still in flight. */
export interface LoadCarry {
  tally: LoadTally;
  series: SeriesState;
  /** Flows started and not yet collected; after continue-as-new they are collected by workflow id. */
  inFlight: FlowInFlight[];
  /** The open-model schedule (or the current breakpoint step's) started at this workflow time. */
  origin: number;
  /** Starts of the schedule handled so far (started or dropped). */
  issued: number;
  /** Breakpoint search: the steps judged, and the current step's own totals. */
  steps?: BreakpointStep[];
  step?: { acc: RunAccumulator; tally: LoadTally };
  /** Set once the run has finished offering load (the closed model's time ran out, the search stopped). */
  offerEnd?: number;
}

/** A schedule being offered: its plan, the workflow time its start 0 is due, and the starts handled before it. */
export interface Schedule {
  plan: ArrivalPlan;
  origin: number;
  base: number;
}

/** Where live control (Temporal Updates) left the run: carried across continue-as-new. */
export interface ControlState {
  paused: boolean;
  /** Workflow time the current pause began. */
  pausedAt?: number;
  /** Time spent paused before the current pause: a closed model's --duration does not count it. */
  pausedMs: number;
  stopped: boolean;
  /** The in-flight limit set last (the run's limits hold it). */
  maxInFlight?: number;
  /** The open model's schedule (or the breakpoint step's) once offering began; a pause or a rate re-bases it. */
  schedule?: Schedule;
  /** Every change accepted, in order: the result's `controls`. */
  changes: ControlChange[];
  /** Set once the load is all offered (not carried: a run that continues as new has more to offer). */
  offered?: boolean;
}

/** Everything one run of the parent hands to the next at continue-as-new: plain JSON, in one object. */
export interface StressRunCarry {
  /** Index of the next flow to start. */
  next: number;
  acc: RunAccumulator;
  startedAt: number;
  load?: LoadCarry;
  chaos?: ChaosSection;
  controls?: ControlState;
}

export interface StressRunInput {
  flow: FlowName;
  /** Defaults to the workflow id, which a schedule makes unique per action. */
  runId?: string;
  count: number;
  concurrency: number;
  seed: number;
  faultsName: string;
  sim: SimSettings;
  /** How the load is offered; without it, `count` flows at `concurrency` (the closed model). */
  load?: LoadShape;
  /** Each service's capacity from the run's profile, set on the stack when the run starts. */
  capacity?: Capacities;
  /** Children per run of the parent before continue-as-new (default CHILDREN_PER_RUN; tests lower it). */
  childrenPerRun?: number;
  /** Carried across continue-as-new. */
  carried?: StressRunCarry;
}

import type { FlowInFlight } from '../../activities/load';
import type { FlowName } from '../../flows/catalog';
import type { SimSettings } from '../../flows/types';
import type { LoadShape } from '../../load/shape';
import type { BreakpointStep } from '../../result/load-schema';
import type { ChaosSection } from '../../result/schema';
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

/** Everything one run of the parent hands to the next at continue-as-new: plain JSON, in one object. */
export interface StressRunCarry {
  /** Index of the next flow to start. */
  next: number;
  acc: RunAccumulator;
  startedAt: number;
  load?: LoadCarry;
  chaos?: ChaosSection;
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

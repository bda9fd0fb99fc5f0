import type { Threshold } from '../result/thresholds';

/** One stage of an open model: the rate ramps linearly from where the previous stage ended to `target_rate`. */
export interface Stage {
  duration_ms: number;
  /** Flows started per second at the end of the stage. */
  target_rate: number;
}

/** A schedule of arrivals: the rate starts at `start_rate` and follows the stages; at most `count` starts if set. */
export interface ArrivalPlan {
  start_rate: number;
  stages: Stage[];
  count?: number;
}

/** How a run offers its load (without one, a run is today's batch: `count` flows at `concurrency`). */
export type LoadShape =
  | { model: 'closed'; duration_ms: number }
  | ({ model: 'open'; max_in_flight: number } & ArrivalPlan)
  | {
      model: 'breakpoint';
      start_rate: number;
      step_factor: number;
      hold_ms: number;
      max_steps: number;
      max_in_flight: number;
      thresholds: Threshold[];
    };

/** Pacing tick: starts due by the schedule are made at most this often, one durable timer per tick. */
export const TICK_MS = 100;

import { CHILDREN_PER_RUN, type StressRunInput } from './input';

/**
 * The limits the launcher and the drivers' pacing read, in one small mutable object: the drivers never read
 * them from the input, so a control (a Temporal Update, say) can change them while the run goes on.
 */
export interface RunLimits {
  /** Flows in flight at once at most: the closed model's concurrency, the open models' max_in_flight. */
  maxInFlight: number;
  /** Children this run of the parent starts before it continues as new. */
  childrenPerRun: number;
}

/** The limits the input asks for, or a control set since (carried across continue-as-new). */
export function limitsOf(input: StressRunInput): RunLimits {
  const shape = input.load;
  const open = shape?.model === 'open' || shape?.model === 'breakpoint';
  return {
    maxInFlight: input.carried?.controls?.maxInFlight ?? (open ? shape.max_in_flight : input.concurrency),
    childrenPerRun: input.childrenPerRun ?? CHILDREN_PER_RUN,
  };
}

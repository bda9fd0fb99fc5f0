import {
  ActivityFailure,
  ApplicationFailure,
  isCancellation,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { RUN_OUTCOME } from '../flows/search-attributes';
import type { Attempted, CallContext, FlowOutcome, SimSettings, StepRecord } from '../flows/types';
import type { ServiceName } from '../services/catalog';

/** Thrown inside a flow when a step failed for good; the flow turns it into a `failed` outcome. */
export class StepFailed extends Error {
  constructor(
    readonly step: string,
    message: string,
  ) {
    super(message);
  }
}

function attemptsOf(err: unknown, maxAttempts: number): number {
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) {
    const detail = err.cause.details?.[0] as { attempt?: number } | undefined;
    if (typeof detail?.attempt === 'number') return detail.attempt;
  }
  // The flow's own check failed (raised in workflow code, after its calls answered): nothing was retried.
  if (err instanceof ApplicationFailure) return 1;
  return maxAttempts;
}

function messageOf(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
}

/** Records the steps of one flow: timing from the workflow's clock, attempts from the activities. */
export class StepRecorder {
  readonly records: StepRecord[] = [];
  readonly refs: Record<string, string> = {};
  private readonly startedAt = Date.now();

  constructor(private readonly sim: SimSettings) {}

  /** The call context for a step against a service: idempotency key, faults, time scale. */
  context(step: string, service: ServiceName): CallContext {
    return {
      key: `${workflowInfo().workflowId}:${step}`,
      faults: this.sim.faults[service],
      timeScale: this.sim.timeScale,
    };
  }

  async run<T>(step: string, maxAttempts: number, call: () => Promise<Attempted<T>>): Promise<T> {
    const started = Date.now();
    try {
      const { value, attempt } = await call();
      this.records.push({
        step,
        status: 'completed',
        started_at: started,
        duration_ms: Date.now() - started,
        attempts: attempt,
      });
      return value;
    } catch (err) {
      if (isCancellation(err)) throw err;
      const error = messageOf(err);
      this.records.push({
        step,
        status: 'failed',
        started_at: started,
        duration_ms: Date.now() - started,
        attempts: attemptsOf(err, maxAttempts),
        error,
      });
      throw new StepFailed(step, error);
    }
  }

  outcome(outcome: 'completed' | 'rejected'): FlowOutcome {
    return { outcome, duration_ms: Date.now() - this.startedAt, steps: this.records, refs: this.refs };
  }

  /**
   * A flow's body wrapped so a failed step ends the flow with a `failed` outcome instead of failing it;
   * the outcome is also set as the flow's RunOutcome search attribute, for the Web UI's filters.
   */
  async guard(body: () => Promise<FlowOutcome>): Promise<FlowOutcome> {
    let outcome: FlowOutcome;
    try {
      outcome = await body();
    } catch (err) {
      if (isCancellation(err) || !(err instanceof StepFailed)) throw err;
      outcome = { ...this.outcome('completed'), outcome: 'failed', failed_step: err.step, error: err.message };
    }
    upsertSearchAttributes([{ key: RUN_OUTCOME, value: outcome.outcome }]);
    return outcome;
  }
}

/**
 * Several activities run as one step (a step of one flow that is a sequence of another flow's calls): the
 * step's attempt count is 1 + the retries of all its calls, so retries stay visible in the result.
 */
export class CallTally {
  private retries = 0;

  async add<T>(call: Promise<Attempted<T>>): Promise<T> {
    const { value, attempt } = await call;
    this.retries += attempt - 1;
    return value;
  }

  done<T>(value: T): Attempted<T> {
    return { value, attempt: 1 + this.retries };
  }
}

import type { ServiceName } from '../services/catalog';
import type { ServiceFaults } from '../contracts/fault-profile';

/** Where a step's time went (see stats/step-time.ts). */
export interface StepTimeSplit {
  /** The platform's own time: every attempt's calls, as the activities timed them (monotonic clock). */
  service_ms: number;
  /** Each attempt's service time, failed attempts included, in attempt order. */
  attempt_service_ms: number[];
  /** Durable waits (timers) the step itself made, by the workflow's clock. */
  wait_ms: number;
  /** Retry backoff between attempts, as the server scheduled the retries. */
  backoff_ms: number;
  /** Attempts that never reported back (timed out, worker died): each counted as its timeout. */
  unreported_attempts: number;
  /** What is left: Temporal's dispatch and the worker's own time (duration − service − wait − backoff, ≥ 0). */
  overhead_ms: number;
}

/** How one step of one flow went, as the flow workflow measured it. */
export interface StepRecord extends StepTimeSplit {
  step: string;
  status: 'completed' | 'failed';
  /** Workflow time the step was scheduled, epoch ms. */
  started_at: number;
  /** From scheduling to result, retries and backoff included (the workflow's clock). */
  duration_ms: number;
  attempts: number;
  error?: string;
}

/** What every flow workflow returns; `rejected` is a business outcome (e.g. the council said no), not a failure. */
export interface FlowOutcome {
  outcome: 'completed' | 'rejected' | 'failed';
  duration_ms: number;
  steps: StepRecord[];
  failed_step?: string;
  error?: string;
  /** Ids of what the flow created, for tracing a flow to its rows. */
  refs: Record<string, string>;
  /** A learning cycle's measurements, gathered by the parent into the result's learning curve. */
  learning?: LearningPoint;
  /** Values the flow measured (e.g. feedback_latency_ms), summarized by the parent into the result. */
  measurements?: Record<string, number>;
}

export interface LearningPoint {
  cycle: number;
  model_version: string;
  mae: number;
  calibration: number | null;
  retrained_to?: string;
}

/** Per-service faults and the platform time scale, as every activity call carries them. */
export interface SimSettings {
  faults: Record<ServiceName, ServiceFaults>;
  timeScale: number;
  /**
   * Run the quick steps (preset `fastCall`) as local activities: in the worker that runs the flow, recorded
   * in history as markers, with no activity task through the server (`--local-activities`; docs/benchmarks.md).
   */
  localActivities?: boolean;
}

/** What the stress-run parent gives each flow. */
export interface FlowInput {
  runId: string;
  index: number;
  seed: number;
  sim: SimSettings;
}

/** What a flow's activities receive besides their own arguments. */
export interface CallContext {
  /** Idempotency key: workflow id + step; a retried call sends the same key. */
  key: string;
  faults: ServiceFaults;
  timeScale: number;
  /**
   * What seeds the service's latency and fault draws for this call (`callDraw`; the caller adds the attempt and
   * the call's place in it), so a run's seed fixes what each call suffers whatever order the calls arrive in.
   * Without it a service draws from its own process-wide stream.
   */
  draw?: string;
}

/** One attempt of an activity, timed where its calls were made. */
export interface AttemptTime {
  attempt: number;
  /** Time in the platform's calls: HTTP round trips, or the database work of a step without a service. */
  service_ms: number;
  ok: boolean;
  /** Wait before this attempt started: the retry backoff the server scheduled (0 for a first attempt). */
  backoff_ms: number;
}

/** Every activity answers with its value, the attempt that produced it and every attempt's timing. */
export interface Attempted<T> {
  value: T;
  attempt: number;
  /** This attempt and the earlier ones that reported (failed attempts carry theirs forward by heartbeat). */
  times: AttemptTime[];
}

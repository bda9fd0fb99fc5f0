import type { ServiceName } from '../services/catalog';
import type { ServiceFaults } from '../services/shared/fault-profile';

/** How one step of one flow went, as the flow workflow measured it. */
export interface StepRecord {
  step: string;
  status: 'completed' | 'failed';
  /** Workflow time the step was scheduled, epoch ms. */
  started_at: number;
  /** From scheduling to result, retries and backoff included. */
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
}

/** Every activity answers with its value and the attempt that produced it. */
export interface Attempted<T> {
  value: T;
  attempt: number;
}

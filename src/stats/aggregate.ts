import type { FlowOutcome, LearningPoint } from '../flows/types';
import type { StandardResult, StepAnalysis } from '../result/schema';
import { addExemplars, emptyExemplars, exemplarsView, type ExemplarState } from './exemplars';
import { emptyHistogram, mean, quantile, record, type HistogramState } from './histogram';

/** How a step's (or a flow's) time splits: the platform's, the orchestrator's, and the waits in between. */
export interface SplitAccumulator {
  /** Service time: per attempt for a step, per flow (all its steps) for a flow. */
  service: HistogramState;
  /** Orchestration overhead per execution. */
  overhead: HistogramState;
  waitMs: number;
  backoffMs: number;
  unreported: number;
}

/** Running totals for one step across every flow of a run. */
export interface StepAccumulator extends SplitAccumulator {
  executions: number;
  failures: number;
  attempts: number;
  durations: HistogramState;
}

/** Running totals for a whole stress run: bounded in size whatever the count, and plain JSON. */
export interface RunAccumulator {
  successful: number;
  failed: number;
  rejected: number;
  durations: HistogramState;
  /** The flows' time split (service = all the flow's steps' service time; overhead = the rest of the flow). */
  split: SplitAccumulator;
  steps: Record<string, StepAccumulator>;
  failurePoints: Record<string, number>;
  /** Learning cycles' measurements, in arrival order; capped so the state stays bounded. */
  learning?: LearningPoint[];
  /** Flows' measured values by name, as histograms (non-negative values, e.g. latencies). */
  measurements?: Record<string, HistogramState>;
  /** The slowest and failed flows and steps by workflow id (kept once a flow is added with its id). */
  exemplars?: ExemplarState;
  /** Open model: each flow's time from its scheduled start to its end (absent when no start was scheduled). */
  response?: HistogramState;
}

/** One flow as the parent knows it: its workflow id, and its response time when a schedule set its start. */
export interface FlowSeen {
  workflowId: string;
  responseMs?: number;
}

const MAX_LEARNING_POINTS = 1000;

function emptySplit(): SplitAccumulator {
  return { service: emptyHistogram(), overhead: emptyHistogram(), waitMs: 0, backoffMs: 0, unreported: 0 };
}

export function emptyRun(): RunAccumulator {
  return {
    successful: 0,
    failed: 0,
    rejected: 0,
    durations: emptyHistogram(),
    split: emptySplit(),
    steps: {},
    failurePoints: {},
  };
}

/** Folds one flow's outcome into the run's totals, in place; with what the parent saw of it, its exemplars too. */
export function addOutcome(acc: RunAccumulator, outcome: FlowOutcome, seen?: FlowSeen): void {
  if (seen) addExemplars((acc.exemplars ??= emptyExemplars()), seen.workflowId, outcome);
  if (seen?.responseMs !== undefined) record((acc.response ??= emptyHistogram()), seen.responseMs);
  if (outcome.outcome === 'failed') {
    acc.failed += 1;
    const point = outcome.failed_step ?? 'workflow';
    acc.failurePoints[point] = (acc.failurePoints[point] ?? 0) + 1;
  } else {
    acc.successful += 1;
    if (outcome.outcome === 'rejected') acc.rejected += 1;
  }
  record(acc.durations, outcome.duration_ms);
  if (outcome.learning && (acc.learning ??= []).length < MAX_LEARNING_POINTS) acc.learning.push(outcome.learning);
  for (const [name, value] of Object.entries(outcome.measurements ?? {})) {
    if (Number.isFinite(value)) record(((acc.measurements ??= {})[name] ??= emptyHistogram()), value);
  }
  let service = 0;
  let waits = 0;
  let backoff = 0;
  for (const s of outcome.steps) {
    const step = (acc.steps[s.step] ??= {
      executions: 0,
      failures: 0,
      attempts: 0,
      durations: emptyHistogram(),
      ...emptySplit(),
    });
    step.executions += 1;
    step.attempts += s.attempts;
    if (s.status === 'failed') step.failures += 1;
    record(step.durations, s.duration_ms);
    for (const t of s.attempt_service_ms ?? []) record(step.service, t);
    record(step.overhead, s.overhead_ms ?? 0);
    step.waitMs += s.wait_ms ?? 0;
    step.backoffMs += s.backoff_ms ?? 0;
    step.unreported += s.unreported_attempts ?? 0;
    service += s.service_ms ?? 0;
    waits += s.wait_ms ?? 0;
    backoff += s.backoff_ms ?? 0;
  }
  const split = (acc.split ??= emptySplit());
  record(split.service, service);
  // The flow's overhead: everything its steps' service time and own waits do not explain, between steps too.
  record(split.overhead, Math.max(0, outcome.duration_ms - service - waits - backoff));
  split.waitMs += waits;
  split.backoffMs += backoff;
  split.unreported += outcome.steps.reduce((n, s) => n + (s.unreported_attempts ?? 0), 0);
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/** The split as result fields: service over attempts (steps) or flows, overhead, waits and backoff per execution. */
function splitFields(s: SplitAccumulator, executions: number) {
  return {
    service_avg_ms: round(mean(s.service)),
    service_p50_ms: round(quantile(s.service, 0.5)),
    service_p95_ms: round(quantile(s.service, 0.95)),
    service_p99_ms: round(quantile(s.service, 0.99)),
    overhead_avg_ms: round(mean(s.overhead)),
    overhead_p50_ms: round(quantile(s.overhead, 0.5)),
    overhead_p95_ms: round(quantile(s.overhead, 0.95)),
    wait_avg_ms: executions ? round(s.waitMs / executions) : 0,
    backoff_avg_ms: executions ? round(s.backoffMs / executions) : 0,
    unreported_attempts: s.unreported,
  };
}

function stepAnalysis(s: StepAccumulator): StepAnalysis {
  return {
    success_rate: s.executions ? round((100 * (s.executions - s.failures)) / s.executions) : 0,
    avg_duration_ms: round(mean(s.durations)),
    p50_duration_ms: round(quantile(s.durations, 0.5)),
    p95_duration_ms: round(quantile(s.durations, 0.95)),
    p99_duration_ms: round(quantile(s.durations, 0.99)),
    attempts: s.attempts,
    retries: s.attempts - s.executions,
    failures: s.failures,
    executions: s.executions,
    ...splitFields(s, s.executions),
  };
}

function summary(h: HistogramState) {
  return {
    count: h.count,
    avg: round(mean(h)),
    p50: round(quantile(h, 0.5)),
    p95: round(quantile(h, 0.95)),
    p99: round(quantile(h, 0.99)),
  };
}

export interface ResultMeta {
  flow: string;
  runId: string;
  status: 'running' | 'completed';
  totalOperations: number;
  concurrency: number;
  elapsedMs: number;
  /** Steps in catalog order, so the result lists them the way the flow runs them. */
  stepOrder: readonly string[];
  params: StandardResult['params'];
}

/** The standard result for the totals so far. */
export function toResult(acc: RunAccumulator, meta: ResultMeta): StandardResult {
  const completed = acc.successful + acc.failed;
  const seconds = meta.elapsedMs / 1000;
  const names = [...meta.stepOrder, ...Object.keys(acc.steps).filter((s) => !meta.stepOrder.includes(s))];
  return {
    flow: meta.flow,
    run_id: meta.runId,
    status: meta.status,
    total_operations: meta.totalOperations,
    completed_operations: completed,
    concurrent: meta.concurrency,
    successful: acc.successful,
    failed: acc.failed,
    rejected: acc.rejected,
    success_rate: completed ? round((100 * acc.successful) / completed) : 0,
    total_duration_seconds: round(seconds, 3),
    operations_per_second: seconds > 0 ? round(completed / seconds, 3) : 0,
    avg_duration_ms: round(mean(acc.durations)),
    p50_duration_ms: round(quantile(acc.durations, 0.5)),
    p95_duration_ms: round(quantile(acc.durations, 0.95)),
    p99_duration_ms: round(quantile(acc.durations, 0.99)),
    ...(acc.response
      ? {
          response_p50_ms: round(quantile(acc.response, 0.5)),
          response_p95_ms: round(quantile(acc.response, 0.95)),
          response_p99_ms: round(quantile(acc.response, 0.99)),
        }
      : {}),
    ...splitFields(acc.split ?? emptySplit(), completed),
    step_analysis: Object.fromEntries(names.filter((n) => acc.steps[n]).map((n) => [n, stepAnalysis(acc.steps[n])])),
    failure_points: { ...acc.failurePoints },
    params: meta.params,
    ...(acc.measurements && Object.keys(acc.measurements).length
      ? { measurements: Object.fromEntries(Object.entries(acc.measurements).map(([n, h]) => [n, summary(h)])) }
      : {}),
    ...(acc.exemplars ? { exemplars: exemplarsView(acc.exemplars, meta.stepOrder) } : {}),
    ...(acc.learning?.length ? { learning_curve: [...acc.learning].sort((a, b) => a.cycle - b.cycle) } : {}),
  };
}

import { metricMeter } from '@temporalio/workflow';
import { FLOW_METRICS } from '../flows/flow-metric-names';
import type { FlowOutcome, StepRecord } from '../flows/types';

/**
 * The flows' own Prometheus metrics (names in flows/flow-metric-names.ts), emitted through the workflow's
 * `metricMeter`: the worker's SDK exporter serves them beside Temporal's (src/worker-telemetry.ts). The SDK drops
 * them while a workflow replays, so a flow that moves to another worker, or leaves the cache, is not counted twice;
 * and they add nothing to history. Labels are the catalog's flow and step names and the outcome: never ids.
 */

// The SDK's exporter adds `_total` to counters itself (countersTotalSuffix), so counters are created without it.
const counter = (name: string, help: string) => metricMeter.createCounter(name.replace(/_total$/, ''), '', help);
const seconds = (name: string, help: string) => metricMeter.createHistogram(name, 'float', '', help);

/** A flow the stress-run parent started. */
export function countFlowStarted(flow: string): void {
  counter(FLOW_METRICS.flowsStarted, 'Flows the stress-run parent started').add(1, { flow });
}

/** A flow that ended, by its outcome (a flow workflow that itself failed counts as failed). */
export function countFlowEnded(flow: string, outcome: FlowOutcome['outcome']): void {
  counter(FLOW_METRICS.flows, 'Flows that ended, by outcome (completed, rejected, failed)').add(1, { flow, outcome });
}

/** One execution of a step: its time end to end, the platform's part, the orchestration's part, its retries. */
export function recordStep(flow: string, record: StepRecord): void {
  const tags = { flow, step: record.step };
  seconds(FLOW_METRICS.stepDuration, 'Step time end to end, retries and backoff included').record(
    record.duration_ms / 1000,
    tags,
  );
  seconds(FLOW_METRICS.stepService, "Step time spent in the platform's calls (every attempt)").record(
    record.service_ms / 1000,
    tags,
  );
  seconds(
    FLOW_METRICS.stepOverhead,
    "Step time that is neither service, waits nor backoff: Temporal's and the worker's",
  ).record(record.overhead_ms / 1000, tags);
  counter(FLOW_METRICS.stepRetries, 'Retries of a step (attempts after the first)').add(record.attempts - 1, tags);
  if (record.status === 'failed')
    counter(FLOW_METRICS.stepFailures, 'Steps that failed after their retries').add(1, tags);
}

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

const FLOW_OUTCOMES: ReadonlyArray<FlowOutcome['outcome']> = ['completed', 'rejected', 'failed'];

/** A flow the stress-run parent started. */
export function countFlowStarted(flow: string): void {
  counter(FLOW_METRICS.flowsStarted, 'Flows the stress-run parent started').add(1, { flow });
}

/** A flow that ended, by its outcome (a flow workflow that itself failed counts as failed). */
export function countFlowEnded(flow: string, outcome: FlowOutcome['outcome']): void {
  const flows = counter(FLOW_METRICS.flows, 'Flows that ended, by outcome (completed, rejected, failed)');
  // The other outcomes get 0: each series exists before its first event, so increase() counts that one too.
  for (const o of FLOW_OUTCOMES) flows.add(o === outcome ? 1 : 0, { flow, outcome: o });
}

/** One execution of a step: its time end to end, the platform's part, the orchestration's part, its retries. */
export function recordStep(flow: string, record: StepRecord): void {
  const tags = { flow, step: record.step };
  const histogram = (name: string, help: string, ms: number) => seconds(name, help).record(ms / 1000, tags);
  histogram(FLOW_METRICS.stepDuration, 'Step time end to end, retries and backoff included', record.duration_ms);
  histogram(FLOW_METRICS.stepService, "Step time in the platform's calls (every attempt)", record.service_ms);
  histogram(
    FLOW_METRICS.stepOverhead,
    "Step time that is neither service, waits nor backoff: Temporal's and the worker's",
    record.overhead_ms,
  );
  counter(FLOW_METRICS.stepRetries, 'Retries of a step (attempts after the first)').add(record.attempts - 1, tags);
  const failed = record.status === 'failed' ? 1 : 0;
  counter(FLOW_METRICS.stepFailures, 'Steps that failed after their retries').add(failed, tags);
}

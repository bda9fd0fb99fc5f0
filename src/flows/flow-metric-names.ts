/**
 * The names of the flows' Prometheus metrics (emitted by workflows/flow-metrics.ts, served by the worker's SDK
 * exporter), and the step histograms' buckets; docs/monitoring.md lists them.
 */
export const FLOW_METRICS = {
  flowsStarted: 'geminivideo_flows_started_total',
  flows: 'geminivideo_flows_total',
  stepDuration: 'geminivideo_step_duration_seconds',
  stepService: 'geminivideo_step_service_seconds',
  stepOverhead: 'geminivideo_step_overhead_seconds',
  stepRetries: 'geminivideo_step_retries_total',
  stepFailures: 'geminivideo_step_failures_total',
} as const;

/** The step histograms' buckets, in seconds (a fast step takes milliseconds, a slow render minutes). */
export const STEP_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900];

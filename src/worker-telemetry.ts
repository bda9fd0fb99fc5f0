import { Runtime } from '@temporalio/worker';
import { metricsHostFromEnv, metricsPortFromEnv } from './services/shared/metrics-server';
import { FLOW_METRICS, STEP_BUCKETS_SECONDS } from './flows/flow-metric-names';

/**
 * With WORKER_METRICS_PORT set, the worker's SDK runtime serves Prometheus metrics at that port on 127.0.0.1 (or
 * METRICS_HOST): Temporal's own worker metrics (prefixed `temporal_`) and the flows'
 * (src/workflows/flow-metrics.ts), which workflows emit through the same exporter. Counters end in `_total` and
 * durations are in seconds, as Prometheus names want them. Must run before the first connection is made. Answers
 * the address, or undefined.
 */
export function installWorkerTelemetry(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const port = metricsPortFromEnv('WORKER_METRICS_PORT', env);
  if (port === undefined) return undefined;
  const bindAddress = `${metricsHostFromEnv(env)}:${port}`;
  Runtime.install({
    telemetryOptions: {
      metrics: {
        prometheus: {
          bindAddress,
          countersTotalSuffix: true,
          useSecondsForDurations: true,
          unitSuffix: true,
          histogramBucketOverrides: Object.fromEntries(
            [FLOW_METRICS.stepDuration, FLOW_METRICS.stepService, FLOW_METRICS.stepOverhead].map((n) => [
              n,
              STEP_BUCKETS_SECONDS,
            ]),
          ),
        },
      },
    },
  });
  return bindAddress;
}

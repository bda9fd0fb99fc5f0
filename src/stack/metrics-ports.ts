/**
 * Metrics ports before the stack's port offset, like every other port of the stack. Workers and executors are
 * numbered from 1; each gets the base plus its number, so N of them never collide (up to 79 workers).
 */
export const METRICS_PORTS = {
  prometheus: 9090,
  /** The stack's own process: the supervisor's restart counter. */
  stack: 9400,
  /** The Temporal dev server's `--metrics-port`. */
  temporal: 9401,
  /** The cluster's roles' server metrics, in CLUSTER_ROLES order: frontend 9402, history, matching, worker 9405. */
  temporalRoles: 9402,
  executor: 9410,
  worker: 9420,
} as const;

/** Worker numbers the port range has room for (the CLI's own `--workers` limit is lower: cli/stack-options.ts). */
export const WORKER_PORT_SLOTS = 79;

/** Where worker number `index` (from 1) exports its metrics: the SDK's exporter, with the flows' metrics in it. */
export function workerMetricsPort(index: number, portOffset: number): number {
  if (!Number.isInteger(index) || index < 1 || index > WORKER_PORT_SLOTS) {
    throw new Error(`worker index ${index}: a whole number from 1 to ${WORKER_PORT_SLOTS}`);
  }
  return METRICS_PORTS.worker + index + portOffset;
}

export function executorMetricsPort(index: number, portOffset: number): number {
  return METRICS_PORTS.executor + index + portOffset;
}

/** The environment that gives worker number `index` its metrics port (the stack sets it; so may a test). */
export function workerMetricsEnv(index: number, portOffset: number): Record<string, string> {
  return { WORKER_METRICS_PORT: String(workerMetricsPort(index, portOffset)) };
}

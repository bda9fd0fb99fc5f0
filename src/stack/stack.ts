import type { Endpoints } from '../config';
import { planStack, type StackOptions } from './stack-plan';
import { prepareStart, stopStack } from './start-context';
import { START_STAGES } from './start-steps';
import type { ChildStatus } from './stack-file';

export {
  EXECUTORS,
  POSTGRES_PORT,
  stackFilePath,
  TEMPORAL_PORT,
  TEMPORAL_SERVER_KINDS,
  workerNames,
  type StackOptions,
  type TemporalServerKind,
} from './stack-plan';

export interface RunningStack {
  endpoints: Endpoints;
  stackFile: string;
  /** The stack's Prometheus, with `monitoring`. */
  prometheusUrl?: string;
  stop(): Promise<void>;
  /** The supervised processes, as stack.json lists them. */
  processes(): ChildStatus[];
}

/**
 * Starts everything a run needs: the Temporal dev server, PostgreSQL with migrations applied, the six
 * services as their own processes and (optionally) a worker. Stops what it started if any part fails.
 */
export async function startStack(opts: StackOptions = {}): Promise<RunningStack> {
  const ctx = await prepareStart(planStack(opts));
  try {
    for (const stage of START_STAGES) await Promise.all(stage.map((step) => step(ctx)));
  } catch (err) {
    await stopStack(ctx);
    throw err;
  }
  return {
    endpoints: ctx.endpoints,
    stackFile: ctx.stackFile,
    prometheusUrl: ctx.metrics.prometheusUrl,
    stop: () => stopStack(ctx),
    processes: () => ctx.supervisor.status(),
  };
}

import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from './activities';
import { createHttpAgent } from './activities/http';
import { ConfigError, endpointsFromEnv, TASK_QUEUE } from './config';
import { createPool } from './db/pool';
import { connectionSecurity, namespaceTarget } from './temporal-connection';
import { connectFailure, TemporalSetupError } from './temporal-errors';
import { ensureNamespaceReady } from './temporal-namespace';
import { workflowBundle } from './workflow-bundle';
import { installWorkerTelemetry } from './worker-telemetry';

/** One worker process: the workflows bundle and every activity, on the project's task queue. */
async function run(): Promise<void> {
  const endpoints = endpointsFromEnv();
  const metrics = installWorkerTelemetry();
  const security = connectionSecurity();
  const connection = await NativeConnection.connect({ address: endpoints.temporalAddress, ...security }).catch(
    (err: unknown) => Promise.reject(connectFailure(err, endpoints.temporalAddress, Boolean(security.tls)) ?? err),
  );
  try {
    // The same check as the CLI's: namespace there, the project's search attributes registered.
    await ensureNamespaceReady(connection, namespaceTarget(endpoints, security), (line) => console.log(line));
  } catch (err) {
    await connection.close();
    throw err;
  }
  const pool = createPool(endpoints.databaseUrl, 10);
  const agent = createHttpAgent();
  try {
    const worker = await Worker.create({
      connection,
      namespace: endpoints.namespace,
      taskQueue: TASK_QUEUE,
      workflowBundle: await workflowBundle(),
      activities: createActivities({ services: endpoints.services, agent, pool }),
      maxConcurrentActivityTaskExecutions: Number(process.env.WORKER_MAX_ACTIVITIES ?? 300),
      maxConcurrentWorkflowTaskExecutions: Number(process.env.WORKER_MAX_WORKFLOW_TASKS ?? 100),
    });
    console.log(
      `worker ready on task queue ${TASK_QUEUE} at ${endpoints.temporalAddress}` +
        (metrics ? ` (metrics on ${metrics})` : ''),
    );
    await worker.run();
  } finally {
    await connection.close();
    await pool.end();
    await agent.close();
  }
}

run().catch((err) => {
  // An expected condition of the Temporal named (down, no namespace, refused) is one line, not a stack trace.
  console.error(err instanceof TemporalSetupError || err instanceof ConfigError ? err.message : err);
  process.exit(1);
});

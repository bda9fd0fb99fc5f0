import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from './activities';
import { createHttpAgent } from './activities/http';
import { endpointsFromEnv, TASK_QUEUE } from './config';
import { createPool } from './db/pool';
import { connectionSecurity } from './temporal-connection';
import { workflowBundle } from './workflow-bundle';

/** One worker process: the workflows bundle and every activity, on the project's task queue. */
async function run(): Promise<void> {
  const endpoints = endpointsFromEnv();
  const connection = await NativeConnection.connect({ address: endpoints.temporalAddress, ...connectionSecurity() });
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
    console.log(`worker ready on task queue ${TASK_QUEUE} at ${endpoints.temporalAddress}`);
    await worker.run();
  } finally {
    await connection.close();
    await pool.end();
    await agent.close();
  }
}

run().catch((err) => {
  console.error(err);
  process.exit(1);
});

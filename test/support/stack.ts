import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, Worker, DefaultLogger } from '@temporalio/worker';
import fs from 'node:fs';
import { Pool } from 'pg';
import { createActivities } from '../../src/activities';
import { createHttpAgent } from '../../src/activities/http';
import { TASK_QUEUE, type Endpoints } from '../../src/config';
import { readStackFile } from '../../src/cli/endpoints';
import { awaitStressRun, startStressRun } from '../../src/cli/run-stress';
import type { StandardResult } from '../../src/result/schema';
import type { StressRunInput } from '../../src/workflows/stress-run';
import { runOptions, type RunOverrides } from './runs';
import { TEST_BUNDLE_FILE, TEST_STACK_FILE } from './paths';

let runtimeQuiet = false;

/** The addresses of the stack globalSetup started. */
export function testEndpoints(): Endpoints {
  const endpoints = readStackFile(TEST_STACK_FILE);
  if (!endpoints) throw new Error(`no test stack at ${TEST_STACK_FILE}; run the integration tests through jest`);
  return endpoints;
}

/** The environment that points a child process (CLI, worker) at the test stack. */
export function testStackEnv(): NodeJS.ProcessEnv {
  const e = testEndpoints();
  return {
    ...process.env,
    TEMPORAL_ADDRESS: e.temporalAddress,
    TEMPORAL_NAMESPACE: e.namespace,
    TEMPORAL_UI_URL: e.temporalUiUrl,
    DATABASE_URL: e.databaseUrl,
    ...Object.fromEntries(
      Object.entries(e.services).map(([name, url]) => [`SERVICE_URL_${name.toUpperCase().replace(/-/g, '_')}`, url]),
    ),
  };
}

/** A test's view of the stack: a Temporal client, a pg pool, and a way to run a worker around a block. */
export interface TestStack {
  endpoints: Endpoints;
  client: Client;
  pool: Pool;
  /** Runs `fn` while a worker (in this process) serves the task queue. */
  withWorker<T>(fn: () => Promise<T>): Promise<T>;
  /** Runs one stress run (runOptions with these overrides) to its result, with a worker serving it. */
  runFlow(overrides?: RunOverrides, extra?: Pick<StressRunInput, 'childrenPerRun'>): Promise<StandardResult>;
  close(): Promise<void>;
}

export async function connectTestStack(): Promise<TestStack> {
  if (!runtimeQuiet) {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    runtimeQuiet = true;
  }
  const endpoints = testEndpoints();
  const connection = await Connection.connect({ address: endpoints.temporalAddress });
  const client = new Client({ connection, namespace: endpoints.namespace });
  const pool = new Pool({ connectionString: endpoints.databaseUrl, max: 5 });
  // Tests restart PostgreSQL: an idle client losing its server must not fail the test file.
  pool.on('error', () => undefined);
  const agent = createHttpAgent();
  const codePath = fs.readFileSync(TEST_BUNDLE_FILE, 'utf8');
  const stack: TestStack = {
    endpoints,
    client,
    pool,
    async withWorker(fn) {
      const nativeConnection = await NativeConnection.connect({ address: endpoints.temporalAddress });
      try {
        const worker = await Worker.create({
          connection: nativeConnection,
          namespace: endpoints.namespace,
          taskQueue: TASK_QUEUE,
          workflowBundle: { codePath },
          activities: createActivities({ services: endpoints.services, agent, pool }),
          maxConcurrentActivityTaskExecutions: 200,
        });
        return await worker.runUntil(fn);
      } finally {
        await nativeConnection.close();
      }
    },
    runFlow(overrides = {}, extra = {}) {
      return stack.withWorker(async () => {
        const handle = await startStressRun(client, runOptions(overrides), undefined, extra);
        return awaitStressRun(client, handle.workflowId);
      });
    },
    async close() {
      await connection.close();
      await pool.end();
      await agent.close();
    },
  };
  return stack;
}

/** The test stack for one test file: connected before its tests, closed after them. Ready inside tests. */
export function useTestStack(): TestStack {
  const stack = {} as TestStack;
  beforeAll(async () => {
    Object.assign(stack, await connectTestStack());
  });
  afterAll(async () => {
    await stack.close?.();
  });
  return stack;
}

import { Client, Connection, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { Context } from '@temporalio/activity';
import crypto from 'node:crypto';
import { simSettings } from '../../../src/cli/run-stress';
import type { FlowInput, SimSettings } from '../../../src/flows/types';
import { BUILT_IN_PROFILES } from '../../../src/contracts/fault-profile';
import { stubActivities, type StubSet } from './stubs';

/** Where globalSetup tells the test files about the shared dev server and the bundle. */
export const WORKFLOW_ENV_VAR = 'GV_WORKFLOW_TEST_ENV';

export interface WorkflowEnvInfo {
  address: string;
  namespace: string;
  bundlePath: string;
  dir: string;
}

function envInfo(): WorkflowEnvInfo {
  const raw = process.env[WORKFLOW_ENV_VAR];
  if (!raw) throw new Error(`${WORKFLOW_ENV_VAR} is not set: run the workflow tests through jest (project workflow)`);
  return JSON.parse(raw) as WorkflowEnvInfo;
}

/** No faults, a fast platform clock: what the stubs ignore anyway, but every flow reads. */
export const SIM: SimSettings = simSettings({ faults: BUILT_IN_PROFILES.none, timeScale: 0.02 });

/** A flow's input as the stress-run parent gives it. */
export function flowInput(index = 0, seed = 7): FlowInput {
  return { runId: 'wf-test', index, seed, sim: SIM };
}

/** A test file's view of the shared environment: a client, and one worker whose activities are stubs. */
export interface WorkflowEnv {
  client: Client;
  /** The worker's task queue (children inherit it). */
  taskQueue: string;
  /** Starts a workflow whose activities (and its children's) are `stubs`. */
  start(
    stubs: StubSet,
    workflowType: string,
    args: unknown[],
    workflowId?: string,
  ): Promise<WorkflowHandleWithFirstExecutionRunId>;
  /** Starts a workflow as `start` does and waits for its result. */
  execute<T>(stubs: StubSet, workflowType: string, args: unknown[], workflowId?: string): Promise<T>;
}

let runtimeQuiet = false;

/**
 * Connects to the shared dev server and runs one worker for the test file (beforeAll, afterAll). Each run's
 * activities go to the stub set it was started with, found by its workflow id: children's ids extend their
 * parent's (`<run-id>-00042`), so a stress run's flows use their parent's stubs.
 */
export function useWorkflowEnv(): WorkflowEnv {
  const info = envInfo();
  const byRun = new Map<string, StubSet>();
  const stubsOf = (workflowId: string): StubSet => {
    for (const [id, stubs] of byRun) if (workflowId === id || workflowId.startsWith(`${id}-`)) return stubs;
    throw new Error(`no stubs for workflow ${workflowId}`);
  };
  const dispatch = Object.fromEntries(
    Object.keys(stubActivities().activities).map((name) => [
      name,
      (...args: unknown[]) =>
        stubsOf(Context.current().info.workflowExecution?.workflowId ?? '').activities[name](...args),
    ]),
  );
  let connection: Connection;
  let nativeConnection: NativeConnection;
  let running: Promise<void>;
  let worker: Worker;
  const env = { taskQueue: `wf-test-${crypto.randomUUID()}` } as WorkflowEnv;
  beforeAll(async () => {
    if (!runtimeQuiet) {
      Runtime.install({ logger: new DefaultLogger('ERROR') });
      runtimeQuiet = true;
    }
    connection = await Connection.connect({ address: info.address });
    nativeConnection = await NativeConnection.connect({ address: info.address });
    env.client = new Client({ connection, namespace: info.namespace });
    worker = await Worker.create({
      connection: nativeConnection,
      namespace: info.namespace,
      taskQueue: env.taskQueue,
      workflowBundle: { codePath: info.bundlePath },
      activities: dispatch,
      maxConcurrentActivityTaskExecutions: 100,
    });
    running = worker.run();
  });
  afterAll(async () => {
    if (worker) {
      worker.shutdown();
      await running;
    }
    await nativeConnection?.close();
    await connection?.close();
  });
  env.start = (stubs, workflowType, args, workflowId = `wf-${crypto.randomUUID()}`) => {
    byRun.set(workflowId, stubs);
    return env.client.workflow.start(workflowType, { taskQueue: env.taskQueue, workflowId, args });
  };
  env.execute = async (stubs, workflowType, args, workflowId) => {
    const handle = await env.start(stubs, workflowType, args, workflowId);
    try {
      return await handle.result();
    } finally {
      byRun.delete(handle.workflowId);
    }
  };
  return env;
}

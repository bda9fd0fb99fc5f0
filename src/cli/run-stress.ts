import type { Client } from '@temporalio/client';
import crypto from 'node:crypto';
import { TASK_QUEUE } from '../config';
import { FLOW_NAME, STRESS_RUN_ID } from '../flows/search-attributes';
import type { SimSettings } from '../flows/types';
import type { StandardResult } from '../result/schema';
import { SERVICE_NAMES, type ServiceName } from '../services/catalog';
import { faultsFor, type ServiceFaults } from '../contracts/fault-profile';
import { summaryQuery } from '../workflows/definitions';
import type { StressRunInput } from '../workflows/stress-run';
import { describeLoad } from './load-options';
import { poll } from './poll';
import type { StartOptions } from './start-options';

/** A readable, unique run id: flow, UTC time, and a short random suffix. */
export function makeRunId(flow: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${flow}-${stamp}-${crypto.randomBytes(2).toString('hex')}`;
}

export function simSettings(opts: Pick<StartOptions, 'faults' | 'timeScale' | 'localActivities'>): SimSettings {
  const faults = Object.fromEntries(SERVICE_NAMES.map((n) => [n, faultsFor(opts.faults, n)])) as Record<
    ServiceName,
    ServiceFaults
  >;
  return { faults, timeScale: opts.timeScale, ...(opts.localActivities ? { localActivities: true } : {}) };
}

/** The parent workflow's input for these options (without a run id, the workflow uses its own id). */
export function stressRunInput(opts: StartOptions, runId?: string): StressRunInput {
  return {
    flow: opts.flow,
    runId,
    count: opts.count,
    concurrency: opts.concurrency,
    seed: opts.seed,
    faultsName: opts.faultsName,
    sim: simSettings(opts),
    ...(opts.load ? { load: opts.load } : {}),
    ...(opts.faults.capacity ? { capacity: opts.faults.capacity } : {}),
  };
}

/** What the Web UI shows of a run's parameters. */
export function runMemo(opts: StartOptions): Record<string, unknown> {
  return {
    count: opts.count,
    concurrency: opts.concurrency,
    faults: opts.faultsName,
    timeScale: opts.timeScale,
    ...(opts.localActivities ? { localActivities: true } : {}),
    seed: opts.seed,
    load: describeLoad(opts.load, opts.count, opts.concurrency),
  };
}

/** Starts the stress-run parent for these options; the workflow id is the run id. */
export async function startStressRun(
  client: Client,
  opts: StartOptions,
  runId = makeRunId(opts.flow),
  extra: Pick<StressRunInput, 'childrenPerRun'> = {},
) {
  return client.workflow.start('stressRun', {
    taskQueue: TASK_QUEUE,
    workflowId: runId,
    args: [{ ...stressRunInput(opts, runId), ...extra }],
    typedSearchAttributes: [
      { key: FLOW_NAME, value: opts.flow },
      { key: STRESS_RUN_ID, value: runId },
    ],
    memo: runMemo(opts),
  });
}

/** Waits for a run's result, calling `onProgress` with the summary query about once a second. */
export async function awaitStressRun(
  client: Client,
  runId: string,
  onProgress?: (r: StandardResult) => void,
): Promise<StandardResult> {
  const handle = client.workflow.getHandle(runId);
  const progress = onProgress && poll(() => handle.query(summaryQuery), onProgress, 1000);
  try {
    return (await handle.result()) as StandardResult;
  } finally {
    progress?.stop();
  }
}

/** Whether any worker polls the project's task queue (a run without one waits forever). */
export async function workerIsPolling(client: Client): Promise<boolean> {
  const res = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: TASK_QUEUE },
    taskQueueType: 1, // workflow task queue
  });
  return (res.pollers ?? []).length > 0;
}

import type { Client } from '@temporalio/client';
import { RUN_OUTCOME, STRESS_RUN_ID } from '../flows/search-attributes';
import { mapLimited } from './pool';
import { flowVerdict, type FlowVerdict } from './reset-point';

/** One flow of the run as the re-run sees it: its latest run and what its history says. */
export interface FlowPlan {
  workflowId: string;
  /** The flow's latest run: the one a reset starts from. */
  runId: string;
  verdict: FlowVerdict;
}

/**
 * The visibility query for a run's flows that may need a re-run: every execution (a reset keeps the old run
 * listed) whose outcome was `failed`, or whose workflow did not complete. The parent shares the StressRunId.
 */
export function failedFlowsQuery(runId: string): string {
  return (
    `${STRESS_RUN_ID.name} = "${runId}" AND WorkflowId != "${runId}" AND ` +
    `(${RUN_OUTCOME.name} = "failed" OR ExecutionStatus != "Completed")`
  );
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The ids of the run's flows that failed, by search attribute. Visibility lags behind history a little: until
 * `expected` ids (the run's own count of failed flows) are listed, it asks again, for up to `waitMs`.
 */
export async function failedFlowIds(client: Client, runId: string, expected: number, waitMs = 10_000) {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const ids = new Set<string>();
    for await (const w of client.workflow.list({ query: failedFlowsQuery(runId) })) ids.add(w.workflowId);
    if (ids.size >= expected || Date.now() > deadline) return [...ids].sort();
    await pause(500);
  }
}

/** A flow's latest run and its verdict, from that run's history. */
export async function planFlow(client: Client, workflowId: string): Promise<FlowPlan> {
  const { runId } = await client.workflow.getHandle(workflowId).describe();
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  return { workflowId, runId, verdict: flowVerdict(history) };
}

/** Every failed flow of the run with its reset point (or why it has none), found by search attribute. */
export async function planRerun(client: Client, runId: string, expected: number): Promise<FlowPlan[]> {
  const ids = await failedFlowIds(client, runId, expected);
  return mapLimited(ids, 8, (id) => planFlow(client, id));
}

import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

/** A flow to reset: its run and the WorkflowTaskCompleted event to reset it to. */
export interface ResetTarget {
  workflowId: string;
  runId: string;
  eventId: number;
}

/**
 * Resets one flow with Temporal's reset API: a new run of the same workflow id replays history up to `eventId`
 * and runs on from there, so the steps before it are not executed again. The request id makes a retried call
 * with the same `requestId` one reset. Returns the new run's id.
 */
export async function resetFlow(client: Client, target: ResetTarget, reason: string, requestId: string) {
  const request = temporal.api.workflowservice.v1.ResetWorkflowExecutionRequest.fromObject({
    namespace: client.options.namespace,
    workflowExecution: { workflowId: target.workflowId, runId: target.runId },
    reason,
    workflowTaskFinishEventId: target.eventId,
    requestId,
  });
  const response = await client.workflowService.resetWorkflowExecution(request);
  return response.runId;
}

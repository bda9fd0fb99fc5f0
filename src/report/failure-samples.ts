import type { Client } from '@temporalio/client';
import type { FlowOutcome } from '../flows/types';

/** One failed flow of a run: where it failed and the error it ended with. */
export interface FailureSample {
  flow_id: string;
  step: string;
  error: string;
}

/**
 * The messages behind a run's failure points: the results of up to `limit` of its failed flows, found by
 * their RunOutcome search attribute (the flows' own results, not a replay of history).
 */
export async function failureSamples(client: Client, runId: string, limit = 20): Promise<FailureSample[]> {
  const samples: FailureSample[] = [];
  const query = `StressRunId="${runId.replace(/"/g, '')}" AND RunOutcome="failed"`;
  for await (const flow of client.workflow.list({ query, pageSize: limit })) {
    if (flow.workflowId === runId) continue;
    const outcome = (await client.workflow
      .getHandle(flow.workflowId)
      .result()
      .catch(() => undefined)) as FlowOutcome | undefined;
    if (outcome?.outcome === 'failed') {
      samples.push({ flow_id: flow.workflowId, step: outcome.failed_step ?? '?', error: outcome.error ?? '' });
    }
    if (samples.length >= limit) break;
  }
  return samples;
}

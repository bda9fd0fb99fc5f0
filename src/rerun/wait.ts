import type { Client } from '@temporalio/client';
import type { FlowOutcome } from '../flows/types';
import { mapLimited } from './pool';

/** A reset flow's new run. */
export interface ResetRun {
  workflowId: string;
  runId: string;
}

/** The outcome of a flow whose workflow itself failed in its re-run (not one of its steps). */
function workflowFailed(err: unknown): FlowOutcome {
  const error = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
  return { outcome: 'failed', duration_ms: 0, steps: [], failed_step: 'workflow', error, refs: {} };
}

/**
 * Waits for each reset run's outcome (at most 50 waits open at once), calling `onEnd` as each ends; the
 * outcomes come back in the order of `runs`.
 */
export function awaitResetRuns(
  client: Client,
  runs: readonly ResetRun[],
  onEnd: (outcome: FlowOutcome) => void,
): Promise<FlowOutcome[]> {
  return mapLimited(runs, 50, async (r) => {
    let outcome: FlowOutcome;
    try {
      outcome = (await client.workflow.getHandle(r.workflowId, r.runId).result()) as FlowOutcome;
    } catch (err) {
      outcome = workflowFailed(err);
    }
    onEnd(outcome);
    return outcome;
  });
}

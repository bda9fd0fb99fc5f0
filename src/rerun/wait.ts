import type { Client } from '@temporalio/client';
import { workflowFailedOutcome } from '../flows/outcomes';
import type { FlowOutcome } from '../flows/types';
import { mapLimited } from './pool';

/** A reset flow's new run. */
export interface ResetRun {
  workflowId: string;
  runId: string;
}

/** Why a reset run's workflow itself failed: the cause's message when the client wraps one. */
function failureMessage(err: unknown): string {
  return err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
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
      outcome = workflowFailedOutcome(0, failureMessage(err));
    }
    onEnd(outcome);
    return outcome;
  });
}

import type { FlowOutcome } from './types';

/**
 * The outcome of a flow whose workflow itself failed (not one of its steps): no step records, `workflow` as the
 * failed step, and the reason. Pure, so the stress-run parent, the collecting activity and the re-run share it.
 */
export function workflowFailedOutcome(durationMs: number, error: string): FlowOutcome {
  return { outcome: 'failed', duration_ms: durationMs, steps: [], failed_step: 'workflow', error, refs: {} };
}

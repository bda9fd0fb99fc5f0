import { FLOWS, type FlowName } from '../flows/catalog';
import type { FlowOutcome } from '../flows/types';
import type { StandardResult } from '../result/schema';
import { addOutcome, emptyRun, toResult } from '../stats/aggregate';

/** A re-run flow: the step it was reset to, and its outcome once the reset run ended. */
export interface RerunFlow {
  workflowId: string;
  fromStep: string;
  outcome: FlowOutcome;
}

/**
 * The part of a reset flow's outcome that ran again: its records from the step it was reset to on (the records
 * before it are the first run's, replayed), and its duration from that step's start to its last step's end.
 */
export function rerunPart(outcome: FlowOutcome, fromStep: string): FlowOutcome {
  const at = outcome.steps.findIndex((s) => s.step === fromStep);
  const steps = at < 0 ? [] : outcome.steps.slice(at);
  const end = Math.max(0, ...steps.map((s) => s.started_at + s.duration_ms));
  const duration = steps.length ? end - steps[0].started_at : outcome.duration_ms;
  return { ...outcome, steps, duration_ms: duration };
}

/**
 * The re-run's standard result: the re-run flows only, each counted from the step it was reset to, under the
 * re-run's own id, with the original run's parameters but its own count.
 */
export function rerunResult(
  original: StandardResult,
  rerunId: string,
  flows: readonly RerunFlow[],
  elapsedMs: number,
): StandardResult {
  const acc = emptyRun();
  for (const f of flows) addOutcome(acc, rerunPart(f.outcome, f.fromStep), { workflowId: f.workflowId });
  const n = flows.length;
  return toResult(acc, {
    flow: original.flow,
    runId: rerunId,
    status: 'completed',
    totalOperations: n,
    concurrency: n,
    elapsedMs,
    stepOrder: FLOWS[original.flow as FlowName]?.steps ?? [],
    params: { ...original.params, count: Math.max(1, n), concurrency: Math.max(1, n) },
  });
}

/** The re-run's id: the original's with `-rerun-<n>`, n counting the re-runs before it from 1. */
export function rerunIdOf(runId: string, earlierReruns: number): string {
  return `${runId}-rerun-${earlierReruns + 1}`;
}

/** The run a re-run id names (`<run-id>-rerun-<n>`), or undefined. */
export function rerunOriginOf(id: string): string | undefined {
  return /^(.+)-rerun-\d+$/.exec(id)?.[1];
}

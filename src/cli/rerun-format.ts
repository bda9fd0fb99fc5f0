import type { FlowPlan } from '../rerun/find-flows';
import type { StandardResult } from '../result/schema';
import { table } from '../report/text-table';

/** The flows a re-run resets, those it cannot, and those already done, from the run's failed flows. */
export interface RerunPlan {
  resets: Array<FlowPlan & { verdict: { kind: 'reset'; step: string; eventId: number; error?: string } }>;
  notRerunnable: Array<{ workflowId: string; reason: string }>;
  /** Failed once, completed since (an earlier re-run finished them). */
  alreadyDone: string[];
  /** Starts the open model dropped: never started, so nothing to reset. */
  dropped: number;
}

/** Splits the run's failed flows by what their histories say. */
export function splitPlans(plans: readonly FlowPlan[], dropped: number): RerunPlan {
  const out: RerunPlan = { resets: [], notRerunnable: [], alreadyDone: [], dropped };
  for (const p of plans) {
    const v = p.verdict;
    if (v.kind === 'reset') out.resets.push({ ...p, verdict: v });
    else if (v.kind === 'not_failed') out.alreadyDone.push(p.workflowId);
    else out.notRerunnable.push({ workflowId: p.workflowId, reason: v.reason });
  }
  return out;
}

/** What cannot be re-run, and what needs no re-run, one line each (empty when there is none). */
export function formatLeftOut(plan: RerunPlan): string[] {
  return [
    ...(plan.dropped
      ? [`not re-runnable: ${plan.dropped} dropped start${plan.dropped === 1 ? '' : 's'} (never started)`]
      : []),
    ...plan.notRerunnable.map((f) => `not re-runnable: ${f.workflowId} (${f.reason})`),
    ...(plan.alreadyDone.length
      ? [`already completed by an earlier re-run: ${plan.alreadyDone.length} (${plan.alreadyDone.join(', ')})`]
      : []),
  ];
}

/** `--dry-run`: every flow it would reset, its failed step and the event it would reset to. */
export function formatDryRun(runId: string, plan: RerunPlan): string {
  const rows = plan.resets.map((r) => [r.workflowId, r.verdict.step, String(r.verdict.eventId), r.verdict.error ?? '']);
  const head = `would reset ${plan.resets.length} failed flow${plan.resets.length === 1 ? '' : 's'} of ${runId}`;
  const lines = [head, ...(rows.length ? ['', table(['flow', 'failed step', 'reset to event', 'error'], rows)] : [])];
  const left = formatLeftOut(plan);
  return [...lines, ...(left.length ? ['', ...left] : [])].join('\n');
}

/** The re-run's headline: how many of the re-run flows now succeed, and where the rest failed again. */
export function formatRerunHead(runId: string, result: StandardResult): string {
  const again = Object.entries(result.failure_points).map(([step, n]) => `${step} ${n}`);
  return (
    `re-run of ${runId}: ${result.successful} of ${result.completed_operations} failed flows now succeed` +
    (again.length ? `; failed again: ${again.join(', ')}` : '')
  );
}

/** One progress line while the reset flows run. */
export function formatRerunProgress(done: number, failed: number, total: number): string {
  return `re-run: ${done}/${total} done · ${failed} failed again · ${total - done} running`;
}

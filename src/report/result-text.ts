import type { StandardResult } from '../result/schema';
import { exemplarLines, type WorkflowRef } from './exemplar-lines';
import { formatLoad } from './load-format';
import { ms, opt, pct, table } from './text-table';

/** The headline figures: flows, time, durations, where the time went, the run's parameters. */
function headLines(r: StandardResult): string[] {
  return [
    `${r.flow}  run ${r.run_id}  (${r.status})`,
    `flows: ${r.completed_operations}/${r.total_operations} done, ${r.successful} successful` +
      (r.rejected ? ` (${r.rejected} ended by a business decision)` : '') +
      `, ${r.failed} failed  ·  success rate ${pct(r.success_rate)}`,
    `time: ${r.total_duration_seconds.toFixed(1)} s at concurrency ${r.concurrent}  ·  ${r.operations_per_second.toFixed(2)} flows/s`,
    `flow duration: avg ${ms(r.avg_duration_ms)}  p50 ${ms(r.p50_duration_ms)}  p95 ${ms(r.p95_duration_ms)}  p99 ${ms(r.p99_duration_ms)}`,
    ...(r.service_avg_ms === undefined
      ? []
      : [
          `where a flow's time went: service avg ${ms(r.service_avg_ms)}  ·  overhead p50 ${opt(r.overhead_p50_ms, ms)}` +
            ` p95 ${opt(r.overhead_p95_ms, ms)}  ·  durable waits avg ${opt(r.wait_avg_ms, ms)}` +
            `  ·  retry backoff avg ${opt(r.backoff_avg_ms, ms)}` +
            (r.unreported_attempts
              ? `  ·  ${r.unreported_attempts} attempts never reported (charged their timeout)`
              : ''),
        ]),
    `faults: ${r.params.faults}  ·  time scale ${r.params.time_scale}  ·  seed ${r.params.seed}` +
      (r.params.local_activities ? '  ·  quick steps as local activities' : ''),
  ];
}

/** One row per step. */
function stepTable(r: StandardResult): string {
  const rows = Object.entries(r.step_analysis).map(([step, s]) => [
    step,
    String(s.executions),
    pct(s.success_rate),
    ms(s.avg_duration_ms),
    ms(s.p95_duration_ms),
    ms(s.p99_duration_ms),
    opt(s.service_p50_ms, ms),
    opt(s.service_p95_ms, ms),
    opt(s.overhead_p50_ms, ms),
    opt(s.overhead_p95_ms, ms),
    String(s.attempts),
    String(s.retries),
    String(s.failures),
  ]);
  return table(
    [
      'step',
      'runs',
      'success',
      'avg',
      'p95',
      'p99',
      'svc p50',
      'svc p95',
      'ovh p50',
      'ovh p95',
      'attempts',
      'retries',
      'failed',
    ],
    rows,
  );
}

/**
 * The run's result as a person reads it: headline figures, one row per step, then the executions behind them
 * (as `ref` prints a workflow id: a Web UI link when the caller knows the UI).
 */
export function formatResult(r: StandardResult, ref?: WorkflowRef): string {
  const parts = [
    headLines(r).join('\n'),
    '',
    stepTable(r),
    "(avg/p95/p99: the step end to end, retries included · svc: the service's own time per attempt · ovh: orchestration overhead)",
    ...exemplarLines(r, ref),
  ];
  if (r.learning_curve?.length) {
    parts.push(
      '',
      "learning curve (CTR model error on each cycle's new actuals):",
      ...r.learning_curve.map(
        (p) =>
          `  cycle ${String(p.cycle).padStart(3)}  MAE ${(p.mae * 100).toFixed(3)} pts  model ${p.model_version}` +
          (p.retrained_to ? `  → retrained ${p.retrained_to}` : ''),
      ),
    );
  }
  const measured = Object.entries(r.measurements ?? {});
  if (measured.length) {
    parts.push(
      '',
      table(
        ['measured', 'count', 'avg', 'p50', 'p95', 'p99'],
        measured.map(([name, m]) => [name, String(m.count), ...[m.avg, m.p50, m.p95, m.p99].map((v) => v.toFixed(1))]),
      ),
    );
  }
  parts.push(...formatLoad(r));
  const failures = Object.entries(r.failure_points);
  if (failures.length) parts.push('', `failure points: ${failures.map(([s, n]) => `${s} ${n}`).join(', ')}`);
  return parts.join('\n');
}

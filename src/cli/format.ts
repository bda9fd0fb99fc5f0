import type { StandardResult } from '../result/schema';
import type { ThresholdCheck } from '../result/thresholds';
import { formatLoad } from './load-format';

export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export const ms = (n: number) =>
  n >= 10_000 ? `${(n / 1000).toFixed(1)} s` : n < 10 ? `${n.toFixed(1)} ms` : `${Math.round(n)} ms`;
/** A figure a result stored before it existed lacks. */
const opt = (n: number | undefined, f: (n: number) => string) => (n === undefined ? '-' : f(n));
export const pct = (n: number) => `${n.toFixed(1)}%`;

/** The run's result as a person reads it: headline figures, then one row per step. */
export function formatResult(r: StandardResult): string {
  const head = [
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
  const parts = [
    head.join('\n'),
    '',
    table(
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
    ),
    "(avg/p95/p99: the step end to end, retries included · svc: the service's own time per attempt · ovh: orchestration overhead)",
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

export function formatThresholds(checks: ThresholdCheck[]): string {
  return checks
    .map((c) => `${c.passed ? 'PASS' : 'FAIL'}  ${c.threshold.text}  (actual ${c.actual ?? 'n/a'})`)
    .join('\n');
}

/** What the CLI prints where a Web UI link would go, when no Web UI address is known. */
export const NO_WEB_UI = 'no Web UI address is known (set TEMPORAL_UI_URL to get links)';

/**
 * The Web UI pages for a run: the parent workflow and the filtered list of its flows (or, for a suite, of its
 * flows' runs). Undefined when no Web UI address is known: a cluster's UI is wherever its operator put it.
 */
export function webUiLinks(
  uiUrl: string | undefined,
  namespace: string,
  runId: string,
  childrenBy: 'StressRunId' | 'ParentWorkflowId' = 'StressRunId',
): { parent: string; children: string } | undefined {
  if (!uiUrl) return undefined;
  const base = `${uiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows`;
  return {
    parent: `${base}/${encodeURIComponent(runId)}`,
    children: `${base}?query=${encodeURIComponent(`${childrenBy}="${runId}"`)}`,
  };
}

/** One progress line: done / failed / running / rate / ETA. */
export function formatProgress(r: StandardResult): string {
  const l = r.load;
  if (l && l.model !== 'closed') {
    return `${r.flow}: ${l.started}/${l.scheduled} started · ${l.dropped} dropped · ${r.completed_operations - l.dropped} done · ${r.failed - l.dropped} failed · ${l.peak_in_flight} peak in flight · offered ${(l.offered_rate ?? 0).toFixed(1)}/s achieved ${l.achieved_rate.toFixed(1)}/s`;
  }
  const remaining = r.total_operations - r.completed_operations;
  const running = Math.min(r.concurrent, remaining);
  const rate = r.operations_per_second;
  const eta = rate > 0 ? `${Math.ceil(remaining / rate)}s` : '?';
  return `${r.flow}: ${r.completed_operations}/${r.total_operations} done · ${r.failed} failed · ${running} running · ${rate.toFixed(1)} flows/s · ETA ${eta}`;
}

import type { StandardResult } from '../result/schema';
import type { ThresholdCheck } from './thresholds';

export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export const ms = (n: number) => (n >= 10_000 ? `${(n / 1000).toFixed(1)} s` : `${Math.round(n)} ms`);
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
    `faults: ${r.params.faults}  ·  time scale ${r.params.time_scale}  ·  seed ${r.params.seed}`,
  ];
  const rows = Object.entries(r.step_analysis).map(([step, s]) => [
    step,
    String(s.executions),
    pct(s.success_rate),
    ms(s.avg_duration_ms),
    ms(s.p95_duration_ms),
    ms(s.p99_duration_ms),
    String(s.attempts),
    String(s.retries),
    String(s.failures),
  ]);
  const parts = [
    head.join('\n'),
    '',
    table(['step', 'runs', 'success', 'avg', 'p95', 'p99', 'attempts', 'retries', 'failed'], rows),
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
  const remaining = r.total_operations - r.completed_operations;
  const running = Math.min(r.concurrent, remaining);
  const rate = r.operations_per_second;
  const eta = rate > 0 ? `${Math.ceil(remaining / rate)}s` : '?';
  return `${r.flow}: ${r.completed_operations}/${r.total_operations} done · ${r.failed} failed · ${running} running · ${rate.toFixed(1)} flows/s · ETA ${eta}`;
}

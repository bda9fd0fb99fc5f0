import type { SuiteResult } from '../result/suite-schema';
import { ms, pct, table } from '../report/text-table';

/** The suite as a person reads it: one row per flow, then the verdict and what failed it. */
export function formatSuite(s: SuiteResult): string {
  const rows = s.flows.map((f) => {
    const r = f.result;
    const verdict = f.status === 'completed' ? (f.passed ? 'pass' : 'FAIL') : f.status === 'failed' ? 'FAIL' : f.status;
    if (!r) return [f.flow, '-', '-', '-', '-', '-', '-', verdict];
    return [
      f.flow,
      `${r.completed_operations}/${r.total_operations}`,
      pct(r.success_rate),
      ms(r.avg_duration_ms),
      ms(r.p95_duration_ms),
      ms(r.p99_duration_ms),
      r.operations_per_second.toFixed(2),
      verdict,
    ];
  });
  const failing = s.flows
    .filter((f) => f.passed === false)
    .map((f) =>
      f.error
        ? `  ${f.flow}: its run failed: ${f.error}`
        : `  ${f.flow}: ${(f.checks ?? [])
            .filter((c) => !c.passed)
            .map((c) => `${c.threshold} (actual ${c.actual ?? 'n/a'})`)
            .join(', ')}`,
    );
  const passed = s.flows.filter((f) => f.passed).length;
  return [
    `suite ${s.suite_id}  (${s.status})  ·  ${s.flows.length} flows  ·  ${s.total_duration_seconds.toFixed(1)} s`,
    '',
    table(['flow', 'flows', 'success', 'avg', 'p95', 'p99', 'flows/s', 'verdict'], rows),
    '',
    `thresholds: ${s.thresholds.join(', ')}`,
    s.verdict === 'pending'
      ? `verdict: pending (${passed} of ${s.flows.length} flows passed so far)`
      : `verdict: ${s.verdict.toUpperCase()} (${passed} of ${s.flows.length} flows pass)`,
    ...(failing.length ? ['failing:', ...failing] : []),
  ].join('\n');
}

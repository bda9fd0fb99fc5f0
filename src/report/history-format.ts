import { table } from './text-table';
import type { StoredRun } from './stored-runs';

/** A flow's past runs, one line each: when, with what parameters, and how it went. */
export function formatHistory(flow: string, runs: StoredRun[]): string {
  if (!runs.length) return `no finished runs of ${flow} in stress_runs`;
  const rows = runs.map(({ runId, finishedAt, result: r }) => [
    finishedAt.toISOString().replace('T', ' ').slice(0, 19),
    runId,
    `${r.params.count}×${r.params.concurrency}`,
    r.params.faults,
    String(r.params.time_scale),
    `${r.success_rate.toFixed(1)}%`,
    `${Math.round(r.p95_duration_ms)} ms`,
    `${r.operations_per_second.toFixed(2)}/s`,
  ]);
  return `${flow}: ${runs.length} run(s), oldest first\n\n${table(
    ['finished (UTC)', 'run id', 'count×conc', 'faults', 'time scale', 'success', 'p95', 'throughput'],
    rows,
  )}`;
}

import type { StandardResult } from '../result/schema';
import type { ThresholdCheck } from '../result/thresholds';

export { formatResult } from '../report/result-text';

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

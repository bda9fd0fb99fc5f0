import fs from 'node:fs';
import path from 'node:path';
import type { StandardResult } from '../result/schema';
import { formatChange, formatDifferences } from './compare-format';
import type { FailureSample } from './failure-samples';
import { formatFigure } from './figures';
import type { FlowReport } from './flow-report';
import { chartsFor, type ChartSpec } from './html-charts';

export interface HtmlReportInput {
  title: string;
  flows: Array<FlowReport & { failures?: FailureSample[] }>;
  generatedAt?: Date;
}

const esc = (s: unknown) =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Chart.js's self-contained browser build, inlined so the page loads nothing. */
function chartLibrary(): string {
  const dist = path.dirname(require.resolve('chart.js'));
  return fs.readFileSync(path.join(dist, 'chart.umd.min.js'), 'utf8').replace(/<\/script/gi, '<\\/script');
}

/** JSON safe inside a script element. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

function table(headers: string[], rows: unknown[][], classes: string[] = []): string {
  const head = headers.map((h) => `<th>${esc(h)}</th>`).join('');
  const body = rows
    .map(
      (r, i) =>
        `<tr class="${classes[i] ?? ''}">${r.map((c) => `<td${NUMERIC.test(String(c)) ? ' class="num"' : ''}>${esc(c)}</td>`).join('')}</tr>`,
    )
    .join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

/** Figures (12, 3.5 ms, -4.0%, 1.20/s) are right-aligned; words are not. */
const NUMERIC = /^[-+]?(\d[\d.,]*|∞)( ?(ms|%|\/s))?$/;

const ms = (n: number) => `${n.toFixed(n < 10 ? 1 : 0)} ms`;

function summary(r: StandardResult): string {
  const rows: Array<[string, string]> = [
    ['status', r.status],
    [
      'flows',
      `${r.completed_operations}/${r.total_operations} done: ${r.successful} successful (${r.rejected} rejected by a business decision), ${r.failed} failed`,
    ],
    ['success rate', `${r.success_rate.toFixed(1)}%`],
    ['time', `${r.total_duration_seconds.toFixed(1)} s at concurrency ${r.concurrent}`],
    ['throughput', `${r.operations_per_second.toFixed(2)} flows/s`],
    [
      'flow duration',
      `avg ${ms(r.avg_duration_ms)} · p50 ${ms(r.p50_duration_ms)} · p95 ${ms(r.p95_duration_ms)} · p99 ${ms(r.p99_duration_ms)}`,
    ],
    [
      'parameters',
      Object.entries(r.params)
        .map(([k, v]) => `${k} ${v}`)
        .join(' · '),
    ],
  ];
  return `<dl class="summary">${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>`;
}

/** Every numeric field of the steps, the seed's first and any further ones (service, overhead, …) after. */
function stepTable(r: StandardResult): string {
  const steps = Object.entries(r.step_analysis);
  const fields = [...new Set(steps.flatMap(([, s]) => Object.keys(s)))];
  const rows = steps.map(([name, s]) => [
    name,
    ...fields.map((f) => {
      const v = (s as Record<string, unknown>)[f];
      return typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(1) : (v ?? '');
    }),
  ]);
  return table(['step', ...fields.map((f) => f.replace(/_duration_ms$/, '').replace(/_/g, ' '))], rows);
}

function failures(f: HtmlReportInput['flows'][number]): string {
  const points = Object.entries(f.result?.failure_points ?? {});
  if (!points.length) return '<p class="ok">No flow failed.</p>';
  const samples = f.failures ?? [];
  const rows = points.map(([step, n]) => {
    const messages = [...new Set(samples.filter((s) => s.step === step).map((s) => s.error))];
    return [step, n, messages.join('\n') || '(no message kept)'];
  });
  return table(['step', 'failed flows', 'messages (from the failed flows’ results)'], rows);
}

function checks(f: FlowReport): string {
  if (!f.checks.length) return '';
  const rows = f.checks.map((c) => [c.passed ? 'PASS' : 'FAIL', `${c.kind} ${c.name}`, c.detail]);
  return `<h3>Checks</h3>${table(
    ['', 'check', 'measured'],
    rows,
    f.checks.map((c) => (c.passed ? 'pass' : 'fail')),
  )}`;
}

function comparison(f: FlowReport): string {
  const c = f.comparison;
  if (!c) return '';
  const warnings = formatDifferences(c)
    .map((w) => `<p class="warn">${esc(w)}</p>`)
    .join('');
  const rows = c.rows.map((r) => [
    r.scope,
    r.metric,
    formatFigure(r.metric, r.baseline),
    formatFigure(r.metric, r.run),
    formatChange(r.change_pct),
  ]);
  return `<h3>Against the baseline ${esc(c.baseline.run_id)}</h3>${warnings}${table(['scope', 'metric', 'baseline', 'this run', 'change'], rows)}`;
}

function canvases(charts: ChartSpec[]): string {
  return charts
    .map(
      (c) =>
        `<figure><figcaption>${esc(c.title)}</figcaption><div class="chart"><canvas id="${c.id}"></canvas></div></figure>`,
    )
    .join('');
}

function section(f: HtmlReportInput['flows'][number], charts: ChartSpec[]): string {
  const head = `<h2>${esc(f.flow)} <small>${esc(f.run_id)}</small></h2>`;
  if (!f.result)
    return `<section>${head}<p class="fail">The run produced no result: ${esc(f.error ?? 'unknown')}</p></section>`;
  return [
    `<section>${head}`,
    summary(f.result),
    checks(f),
    `<div class="charts">${canvases(charts)}</div>`,
    `<h3>Steps</h3>${stepTable(f.result)}`,
    `<h3>Failure points</h3>${failures(f)}`,
    comparison(f),
    '</section>',
  ].join('\n');
}

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1200px;color:#1f2933;padding:0 16px}
h1{font-size:22px}h2{border-top:2px solid #d9e2ec;padding-top:16px}h2 small{color:#627d98;font-weight:normal;font-size:13px}
table{border-collapse:collapse;margin:8px 0;width:100%}th,td{border-bottom:1px solid #e4e7eb;padding:4px 8px;text-align:left;white-space:pre-wrap}
td.num{text-align:right;font-variant-numeric:tabular-nums}tr.fail td{color:#b42318}tr.pass td:first-child{color:#2f7d32}
dl.summary{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px}dt{color:#627d98}dd{margin:0}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:16px}
figure{margin:0}figcaption{font-weight:600;margin-bottom:4px}.chart{position:relative;height:280px}
.warn{color:#8d5a00}.fail{color:#b42318}.ok{color:#2f7d32}`;

/** One self-contained page: every flow's summary, charts, steps, failures and baseline comparison. */
export function htmlReport(input: HtmlReportInput): string {
  const at = input.generatedAt ?? new Date();
  const charts = input.flows.map((f, i) => chartsFor(f, i));
  const body = input.flows.map((f, i) => section(f, charts[i])).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(input.title)}</title><style>${STYLE}</style></head>
<body><h1>${esc(input.title)}</h1><p>Written ${esc(at.toISOString())} by geminivideo-sim.</p>
${body}
<script type="application/json" id="report-charts">${scriptJson(charts.flat())}</script>
<script>${chartLibrary()}</script>
<script>
for (const spec of JSON.parse(document.getElementById('report-charts').textContent)) {
  new Chart(document.getElementById(spec.id), spec.config);
}
document.body.dataset.charts = String(Object.keys(Chart.instances).length);
</script>
</body></html>
`;
}

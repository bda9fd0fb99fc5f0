import fs from 'node:fs';
import path from 'node:path';
import type { StandardResult } from '../result/schema';
import { formatChange, formatDifferences } from './compare-format';
import type { FailureSample } from './failure-samples';
import { formatFigure } from './figures';
import type { FlowReport } from './flow-report';
import { breakpointTable } from './html-breakpoint';
import { chartsFor, type ChartSpec } from './html-charts';
import { exemplarsSection } from './html-exemplars';
import { marksTable, MARKS_PLUGIN } from './html-marks';
import { stepTable } from './html-step-table';
import { esc, scriptJson, table, type WebUi } from './html-util';

export interface HtmlReportInput {
  title: string;
  flows: Array<FlowReport & { failures?: FailureSample[] }>;
  generatedAt?: Date;
  /** Where flow ids link to; without it they are plain text. */
  webUi?: WebUi;
}

/** Chart.js's self-contained browser build, inlined so the page loads nothing. */
function chartLibrary(): string {
  const dist = path.dirname(require.resolve('chart.js'));
  return fs.readFileSync(path.join(dist, 'chart.umd.min.js'), 'utf8').replace(/<\/script/gi, '<\\/script');
}

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
  if (!charts.length) return '';
  const figures = charts.map(
    (c) =>
      `<figure><figcaption>${esc(c.title)}</figcaption><div class="chart"><canvas id="${c.id}"></canvas></div></figure>`,
  );
  return `<div class="charts">${figures.join('')}</div>`;
}

/** The run over time: its time charts and the events marked on them. */
function overTime(f: HtmlReportInput['flows'][number], charts: ChartSpec[]): string {
  const time = charts.filter((c) => c.group === 'time');
  if (!time.length) return '';
  const interval = f.result?.series?.interval_seconds;
  const what = interval ? `<p>From the result's series, one point per ${interval} s interval.</p>` : '';
  return `<h3>Over time</h3>${what}${canvases(time)}${marksTable(time[0].marks ?? [])}`;
}

/** A breakpoint search's steps: their chart, verdict and table. */
function search(f: HtmlReportInput['flows'][number], charts: ChartSpec[]): string {
  const table = f.result ? breakpointTable(f.result) : '';
  if (!table) return '';
  return `<h3>Breakpoint search</h3>${canvases(charts.filter((c) => c.group === 'search'))}${table}`;
}

function section(f: HtmlReportInput['flows'][number], charts: ChartSpec[], ui: WebUi | undefined): string {
  const head = `<h2>${esc(f.flow)} <small>${esc(f.run_id)}</small></h2>`;
  if (!f.result)
    return `<section>${head}<p class="fail">The run produced no result: ${esc(f.error ?? 'unknown')}</p></section>`;
  return [
    `<section>${head}`,
    summary(f.result),
    checks(f),
    overTime(f, charts),
    search(f, charts),
    `<h3>By step</h3>${canvases(charts.filter((c) => c.group === 'steps'))}`,
    `<h3>Steps</h3>${stepTable(f.result)}`,
    exemplarsSection(f.result, ui),
    `<h3>Failure points</h3>${failures(f)}`,
    comparison(f),
    '</section>',
  ].join('\n');
}

/** A table whose rows become cards of labelled figures (the labels are the cells' data-label). */
const cards = (t: string) => `
${t} thead{display:none}${t},${t} tbody{display:block}
${t} tr{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));column-gap:16px;border-bottom:2px solid #bcccdc;padding:6px 0}
${t} tbody th{grid-column:1/-1;border:0;font-size:13px}
${t} td{display:flex;justify-content:space-between;gap:6px}
${t} td::before{content:attr(data-label);color:#627d98;text-align:left}`;

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1360px;color:#1f2933;padding:0 16px}
h1{font-size:22px;overflow-wrap:anywhere}h2{border-top:2px solid #d9e2ec;padding-top:16px;overflow-wrap:anywhere}
h2 small{color:#627d98;font-weight:normal;font-size:13px}
table{border-collapse:collapse;margin:8px 0;width:100%}th,td{border-bottom:1px solid #e4e7eb;padding:4px 8px;text-align:left;white-space:pre-wrap;overflow-wrap:break-word}
td.num{text-align:right;font-variant-numeric:tabular-nums}tr.fail td{color:#b42318}tr.pass td:first-child{color:#2f7d32}
dl.summary{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px}dt{color:#627d98}dd{margin:0;overflow-wrap:anywhere}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(520px,100%),1fr));gap:16px}
figure{margin:0;min-width:0}figcaption{font-weight:600;margin-bottom:4px}.chart{position:relative;height:280px}
.warn{color:#8d5a00}.fail{color:#b42318}.ok{color:#2f7d32}
table.compact{font-size:12px;width:auto;min-width:50%}table.compact th,table.compact td{padding:3px 5px;white-space:normal}
table.compact thead th{vertical-align:bottom;font-weight:600;font-size:11px;color:#3e4c59;text-align:right}
table.compact thead th:first-child{text-align:left}
table.steps th.group{text-align:center;border-bottom:2px solid #bcccdc;color:#1f2933}
table.steps tbody th{font-weight:600;font-size:12px}
.tag{display:inline-block;border:1px solid;border-radius:3px;padding:0 4px;font-size:11px;font-weight:600}
ul.ids{margin:0;padding:0;list-style:none}ul.ids li{overflow-wrap:anywhere}ul.ids span{color:#52606d}
@media (max-width:1180px){${cards('table.steps')}}
@media (max-width:700px){
body{margin:12px auto;padding:0 10px}.chart{height:240px}
${cards('table.cards')}
table.exemplars thead{display:none}table.exemplars tr{display:block;border-bottom:2px solid #bcccdc}
table.exemplars td{display:block;border:0}table.exemplars td:empty{display:none}
table.exemplars td::before{content:attr(data-label);color:#627d98;display:block}
}`;

/** One self-contained page: every flow's summary, charts, steps, failures and baseline comparison. */
export function htmlReport(input: HtmlReportInput): string {
  const at = input.generatedAt ?? new Date();
  const charts = input.flows.map((f, i) => chartsFor(f, i));
  const body = input.flows.map((f, i) => section(f, charts[i], input.webUi)).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(input.title)}</title><style>${STYLE}</style></head>
<body><h1>${esc(input.title)}</h1><p>Written ${esc(at.toISOString())} by geminivideo-sim.</p>
${body}
<script type="application/json" id="report-charts">${scriptJson(charts.flat())}</script>
<script>${chartLibrary()}</script>
<script>${MARKS_PLUGIN}
const specs = JSON.parse(document.getElementById('report-charts').textContent);
for (const spec of specs) MARKS[spec.id] = spec.marks || [];
for (const spec of specs) new Chart(document.getElementById(spec.id), spec.config);
document.body.dataset.marks = String(specs.reduce((n, s) => n + (s.marks || []).length, 0));
document.body.dataset.charts = String(Object.keys(Chart.instances).length);
</script>
</body></html>
`;
}

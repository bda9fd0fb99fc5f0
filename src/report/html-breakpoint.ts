import type { StandardResult } from '../result/schema';
import type { BreakpointStep } from '../result/load-schema';
import type { ChartSpec } from './html-chart-spec';
import { esc, msFigure, table } from './html-util';

type Search = NonNullable<NonNullable<StandardResult['load']>['breakpoint']>;

const VERDICT_COLOR = { held: '#59a14f', failed: '#e15759', 'tester limit': '#edc948' } as const;

/** A step's verdict as the report names it. */
export function stepVerdict(s: BreakpointStep): keyof typeof VERDICT_COLOR {
  if (s.passed) return 'held';
  return s.tester_limited ? 'tester limit' : 'failed';
}

const rate = (n: number | null) => (n === null ? 'none' : `${n.toFixed(2)}/s`);

/** The search's steps: offered against achieved rate, each achieved bar colored by the step's verdict. */
export function breakpointChart(prefix: string, r: StandardResult): ChartSpec | undefined {
  const search = r.load?.breakpoint;
  if (!search?.steps.length) return undefined;
  const labels = search.steps.map((s, i) => `step ${i + 1}: ${rate(s.rate)}`);
  const verdicts = search.steps.map(stepVerdict);
  return {
    id: `${prefix}-breakpoint`,
    title: 'Breakpoint search: each step’s rate and verdict',
    group: 'search',
    config: {
      type: 'bar',
      data: {
        labels,
        datasets: [
          { label: 'offered', data: search.steps.map((s) => s.rate), backgroundColor: '#9aa5b1' },
          {
            label: 'achieved (green held, red failed, yellow tester limit)',
            data: search.steps.map((s) => s.achieved_rate),
            backgroundColor: verdicts.map((v) => VERDICT_COLOR[v]),
          },
        ],
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { position: 'bottom' } },
        scales: { y: { beginAtZero: true, title: { display: true, text: 'flows/s' } } },
      },
    },
  };
}

function verdictLine(search: Search): string {
  const facts = `verdict ${search.verdict}: highest rate that held ${rate(search.highest_passing_rate)}, first that failed ${rate(search.first_failing_rate)} (steps ×${search.step_factor}, each held ${search.hold_seconds} s)`;
  return `<p class="${search.verdict === 'found' ? 'ok' : 'warn'}">${esc(facts)}</p>`;
}

/** The search's verdict and a row per step: rate, starts, drops, outcome, p95, lateness and verdict. */
export function breakpointTable(r: StandardResult): string {
  const search = r.load?.breakpoint;
  if (!search?.steps.length) return '';
  const rows = search.steps.map((s, i) => [
    i + 1,
    s.rate.toFixed(2),
    s.achieved_rate.toFixed(2),
    s.started,
    s.dropped,
    `${s.success_rate.toFixed(1)}%`,
    msFigure(s.p95_duration_ms),
    msFigure(s.lateness_ms.p95),
    stepVerdict(s),
  ]);
  const headers = ['step', 'rate/s', 'achieved/s', 'started', 'dropped', 'success', 'p95 ms', 'late p95 ms', 'verdict'];
  const classes = search.steps.map((s) => (s.passed ? 'pass' : 'fail'));
  return `${verdictLine(search)}${table(headers, rows, classes, 'compact cards')}`;
}

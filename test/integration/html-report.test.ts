import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { ARTIFACTS, launchChromium } from '../support/browser';
import { htmlReport } from '../../src/report/html-page';
import { standardResultSchema, type StandardResult } from '../../src/result/schema';
import { completedResult, step } from '../support/results';
import { runCommand } from '../support/spawn';
import { connectTestStack, testStackEnv, type TestStack } from '../support/stack';

let stack: TestStack;
let browser: Browser;
let tmp: string;
beforeAll(async () => {
  stack = await connectTestStack();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gv-html-'));
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await stack?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const npmRun = (script: string, args: string[]) =>
  runCommand('npm', ['run', '--silent', script, ...args], testStackEnv());

interface Rendered {
  title: string;
  /** Per chart: its canvas id, the points of each dataset, and how many of its pixels were drawn. */
  charts: Array<{ id: string; points: number[]; drawn: number }>;
  text: string;
}

/** Opens a report file in chromium, records every request and console error, and reads back its charts. */
async function open(file: string, screenshot: string): Promise<Rendered & { requests: string[]; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`file://${file}`);
  await page.waitForSelector('body[data-charts]');
  const rendered = await page.evaluate(() => {
    // Typed by hand: the project compiles without the DOM library.
    interface Canvas {
      id: string;
      width: number;
      height: number;
      getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
    }
    const g = globalThis as unknown as {
      Chart: {
        instances: Record<
          string,
          { canvas: Canvas; data: { datasets: Array<{ data: Array<number | { y: number }> }> } }
        >;
      };
      document: { title: string; body: { innerText: string } };
    };
    return {
      title: g.document.title,
      text: g.document.body.innerText,
      charts: Object.values(g.Chart.instances).map((c) => {
        const pixels = c.canvas.getContext('2d').getImageData(0, 0, c.canvas.width, c.canvas.height).data;
        let drawn = 0;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) drawn++;
        // Bar charts hold numbers; time charts hold {x, y} points.
        const positive = (v: number | { y: number }) => (typeof v === 'number' ? v : v.y) > 0;
        return { id: c.canvas.id, points: c.data.datasets.map((d) => d.data.filter(positive).length), drawn };
      }),
    };
  });
  await page.screenshot({ path: path.join(ARTIFACTS, screenshot), fullPage: true });
  await page.close();
  return { ...rendered, requests, errors };
}

/** The meta publisher refuses every call, so each flow fails at the step that queues its ad. */
function brokenPublisher(): string {
  const quiet = {
    latency: { distribution: 'fixed', ms: 0 },
    error_rate: 0,
    timeout_rate: 0,
    rate_limit_rate: 0,
    retry_after_seconds: 1,
  };
  const file = path.join(tmp, 'broken-publisher.json');
  fs.writeFileSync(
    file,
    JSON.stringify({
      name: 'broken-publisher',
      defaults: quiet,
      services: { 'meta-publisher': { ...quiet, error_rate: 1 } },
    }),
  );
  return file;
}

async function run(faults: string, extra: string[]): Promise<StandardResult> {
  const json = path.join(tmp, `run-${Date.now()}.json`);
  const args = [
    'creative-flow',
    '--count',
    '4',
    '--concurrency',
    '4',
    '--time-scale',
    '0.01',
    '--faults',
    faults,
    '--json',
    json,
  ];
  const out = await stack.withWorker(() => npmRun('start-workflow', [...args, ...extra]));
  expect(out.stderr).not.toMatch(/Error:/);
  return standardResultSchema.parse(JSON.parse(fs.readFileSync(json, 'utf8')));
}

test('start-workflow --html writes one self-contained page whose charts render with data and that requests nothing', async () => {
  const baseline = await run('none', []);
  const file = path.join(tmp, 'report.html');
  const result = await run(brokenPublisher(), [
    '--html',
    file,
    '--baseline',
    'latest',
    '--threshold',
    'success_rate>=95',
  ]);
  expect(result.failed).toBeGreaterThan(0);
  const [failedStep] = Object.keys(result.failure_points);

  const page = await open(file, 'html-report-run.png');
  // Nothing but the file itself was requested, and nothing was blocked or broke.
  expect(page.requests).toEqual([`file://${file}`]);
  expect(page.errors).toEqual([]);
  expect(page.title).toContain(result.run_id);
  const ids = page.charts.map((c) => c.id);
  // The run over time from its series; the run's steps carry the service/overhead split, so that chart is there too.
  expect(ids).toEqual([
    'flow0-flows-time',
    'flow0-inflight-time',
    'flow0-p95-time',
    'flow0-rate-time',
    'flow0-latency',
    'flow0-split',
    'flow0-failures',
    'flow0-baseline',
  ]);
  // Its first time chart counts, interval by interval, the flows the series says were started.
  const started = result.series!.points.map((p) => p.started).filter((n) => n > 0).length;
  expect(started).toBeGreaterThan(0);
  expect(page.charts[0].points[0]).toBe(started);
  for (const chart of page.charts) {
    expect({ id: chart.id, withData: chart.points.some((n) => n > 0) }).toEqual({ id: chart.id, withData: true });
    expect(chart.drawn).toBeGreaterThan(1000);
  }
  // Summary, failure point with the flows' own message, the failed threshold and the baseline comparison.
  expect(page.text).toMatch(new RegExp(`success rate\\s+${result.success_rate.toFixed(1)}%`));
  expect(page.text).toMatch(new RegExp(`${failedStep}\\s+${result.failure_points[failedStep]}\\s+\\S`));
  expect(page.text).toMatch(
    new RegExp(`${failedStep}\\s+\\d+\\s+meta-publisher answered 503: injected: service unavailable`),
  );
  expect(page.text).not.toContain('(no message kept)');
  expect(page.text).toMatch(/FAIL\s+threshold success_rate>=95\s+measured \d/);
  expect(page.text).toContain(`Against the baseline ${baseline.run_id}`);
  expect(page.text).toMatch(/warning: faults differs/);

  // The same report for a past run, from `npm run report`.
  const again = path.join(tmp, 'again.html');
  const report = await npmRun('report', [result.run_id, '--html', again]);
  expect(report.code).toBe(0);
  expect(fs.readFileSync(again, 'utf8')).toContain(`<title>creative-flow stress run ${result.run_id}</title>`);
});

test('a result with a load time series and the service/overhead split gets those charts too', async () => {
  const series = Array.from({ length: 12 }, (_, i) => ({
    t_seconds: i * 5,
    started: 10,
    completed: 9,
    failed: i % 4 === 0 ? 1 : 0,
    achieved_rate: 2 + (i % 3) * 0.1,
    in_flight: 5 + (i % 2),
    p95_ms: 800 + i * 10,
  }));
  const steps = {
    video_upload: { ...step(), service_p50_ms: 60, service_p95_ms: 120, overhead_p50_ms: 30, overhead_p95_ms: 55 },
    video_rendering: { ...step(), service_p50_ms: 400, service_p95_ms: 900, overhead_p50_ms: 35, overhead_p95_ms: 60 },
  };
  // Fields the schema does not know yet are kept as they would be once it does.
  const result = {
    ...completedResult(),
    step_analysis: steps,
    load: { model: 'open', series },
  } as unknown as StandardResult;
  const file = path.join(tmp, 'load.html');
  fs.writeFileSync(
    file,
    htmlReport({ title: 'load shape', flows: [{ flow: result.flow, run_id: result.run_id, result, checks: [] }] }),
  );

  const page = await open(file, 'html-report-load.png');
  expect(page.requests).toEqual([`file://${file}`]);
  expect(page.errors).toEqual([]);
  expect(page.charts.map((c) => c.id)).toEqual([
    'flow0-time-0',
    'flow0-time-1',
    'flow0-time-2',
    'flow0-latency',
    'flow0-split',
  ]);
  for (const chart of page.charts) expect(chart.drawn).toBeGreaterThan(1000);
  // Throughput, in-flight and p95 each chart all twelve intervals; the split has service and overhead at p50 and p95.
  expect(page.charts.slice(0, 3).map((c) => c.points)).toEqual([[12], [12], [12]]);
  expect(page.charts[4].points).toEqual([2, 2, 2, 2]);
  expect(page.text).toContain('service p50 ms');
});

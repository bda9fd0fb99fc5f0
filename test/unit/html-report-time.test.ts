import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { htmlReport } from '../../src/report/html-page';
import { standardResultSchema, type StandardResult } from '../../src/result/schema';
import { ARTIFACTS, launchChromium } from '../support/browser';
import { breakpointResult, openRunResult } from '../support/time-results';

// Chromium and a hand-built result: no stack needed.
let browser: Browser;
let tmp: string;
beforeAll(async () => {
  browser = await launchChromium();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gv-html-time-'));
});
afterAll(async () => {
  await browser?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const UI = { url: 'http://ui.example:8233', namespace: 'stress tests' };

function writeReport(results: StandardResult[], webUi: typeof UI | null = UI): string {
  const file = path.join(tmp, `report-${results.length}-${webUi ? 'ui' : 'no-ui'}.html`);
  const flows = results.map((result) => ({ flow: result.flow, run_id: result.run_id, result, checks: [] }));
  fs.writeFileSync(file, htmlReport({ title: 'over time', flows, webUi: webUi ?? undefined }));
  return file;
}

interface PageChart {
  id: string;
  datasets: Array<{ label: string; data: unknown[]; backgroundColor: unknown }>;
  drawn: number;
}

/** Opens the file at a width, fails on any request or error, and reads back its charts and layout. */
async function open(file: string, width: number): Promise<{ page: Page; charts: PageChart[]; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const errors: string[] = [];
  page.on('request', (r) => r.url() !== `file://${file}` && errors.push(`request ${r.url()}`));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`file://${file}`);
  await page.waitForSelector('body[data-charts]');
  const charts = await page.evaluate(() => {
    // Typed by hand: the project compiles without the DOM library.
    interface Canvas {
      id: string;
      width: number;
      height: number;
      getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
    }
    type Instance = { canvas: Canvas; data: { datasets: PageChart['datasets'] } };
    const g = globalThis as unknown as { Chart: { instances: Record<string, Instance> } };
    return Object.values(g.Chart.instances).map((c) => {
      const pixels = c.canvas.getContext('2d').getImageData(0, 0, c.canvas.width, c.canvas.height).data;
      let drawn = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) drawn++;
      const datasets = c.data.datasets.map((d) => ({
        label: d.label,
        data: d.data,
        backgroundColor: d.backgroundColor,
      }));
      return { id: c.canvas.id, datasets, drawn };
    });
  });
  return { page, charts, errors };
}

/** Each dataset of a chart by label: its points as [x, y]. */
function pointsOf(charts: PageChart[], id: string): Record<string, Array<[number, number]>> {
  const chart = charts.find((c) => c.id === id);
  if (!chart) throw new Error(`no chart ${id} among ${charts.map((c) => c.id).join(', ')}`);
  return Object.fromEntries(
    chart.datasets.map((d) => [d.label, (d.data as Array<{ x: number; y: number }>).map((p) => [p.x, p.y])]),
  );
}

/** Whether the page, and every step table, fits its width without scrolling sideways. */
async function overflow(page: Page) {
  return page.evaluate(() => {
    interface Box {
      scrollWidth: number;
      clientWidth: number;
    }
    const d = (globalThis as unknown as { document: { documentElement: Box; querySelectorAll(s: string): Box[] } })
      .document;
    const tables = [...d.querySelectorAll('div.steps')].map((b) => b.scrollWidth - b.clientWidth);
    return { page: d.documentElement.scrollWidth - d.documentElement.clientWidth, tables };
  });
}

test('the time charts carry the series, the open model’s rates, the search’s steps, and the marks', async () => {
  const open1 = standardResultSchema.parse(openRunResult());
  const search = standardResultSchema.parse(breakpointResult());
  const { page, charts, errors } = await open(writeReport([open1, search]), 1400);
  await page.screenshot({ path: path.join(ARTIFACTS, 'html-report-time.png'), fullPage: true });
  expect(errors).toEqual([]);
  expect(charts.map((c) => c.id)).toEqual([
    ...['flows-time', 'inflight-time', 'p95-time', 'rate-time', 'latency', 'split', 'failures'].map(
      (c) => `flow0-${c}`,
    ),
    ...['flows-time', 'inflight-time', 'p95-time', 'rate-time', 'breakpoint', 'latency', 'failures'].map(
      (c) => `flow1-${c}`,
    ),
  ]);
  for (const c of charts) expect({ id: c.id, drawn: c.drawn > 1000 }).toEqual({ id: c.id, drawn: true });

  // Every interval of the series, as it is in the result.
  const s = open1.series!;
  const xy = (f: (p: (typeof s.points)[number]) => number) => s.points.map((p) => [p.t_seconds, f(p)]);
  expect(pointsOf(charts, 'flow0-flows-time')).toEqual({
    started: xy((p) => p.started),
    'done (failed included)': xy((p) => p.completed),
    failed: xy((p) => p.failed),
    dropped: xy((p) => p.dropped),
  });
  expect(pointsOf(charts, 'flow0-inflight-time')).toEqual({ 'in flight': xy((p) => p.in_flight) });
  expect(pointsOf(charts, 'flow0-p95-time')).toEqual({
    'flow p95 (duration)': xy((p) => p.p95_duration_ms),
    'response p95 (from the intended start)': xy((p) => p.p95_response_ms!),
  });
  // The open model: achieved and offered per interval, and the stages ramping from start_rate.
  expect(pointsOf(charts, 'flow0-rate-time')).toEqual({
    'achieved (starts/s)': xy((p) => p.achieved_rate),
    'offered (scheduled/s)': xy((p) => p.scheduled / s.interval_seconds),
    'planned stages': [
      [0, 0],
      [30, 3],
      [90, 3],
      [120, 0],
    ],
  });
  // Without a dropped start, no dropped line; the breakpoint run's series is charted as its own.
  expect(Object.keys(pointsOf(charts, 'flow1-flows-time'))).toEqual(['started', 'done (failed included)', 'failed']);
  expect(pointsOf(charts, 'flow1-flows-time').started).toEqual(
    search.series!.points.map((p) => [p.t_seconds, p.started]),
  );

  // The search: offered and achieved per step, each achieved bar colored by its verdict.
  const steps = search.load!.breakpoint!.steps;
  const bars = charts.find((c) => c.id === 'flow1-breakpoint')!.datasets;
  expect(bars.map((d) => d.data)).toEqual([steps.map((x) => x.rate), steps.map((x) => x.achieved_rate)]);
  expect(bars[1].backgroundColor).toEqual(['#59a14f', '#59a14f', '#e15759']);
  const text = await page.locator('body').innerText();
  expect(text).toMatch(/verdict found: highest rate that held 1\.50\/s, first that failed 2\.25\/s/);
  expect(text).toMatch(/3\s+2\.25\s+2\.23\s+68\s+0\s+66\.7%\s+4100\s+40\.0\s+failed/);

  // The kills, the fault and the controls: drawn on each of the run's four time charts, spelled out below them.
  expect(await page.locator('body').getAttribute('data-marks')).toBe(String(4 * 6));
  const marks = await page.locator('table.marks').first().innerText();
  expect(marks).toMatch(/C1\s+control\s+20\.0 s\s+pause/);
  expect(marks).toMatch(/K1\s+kill\s+40\.0 s\s+killed worker-2 \(SIGKILL\), serving again after 2100 ms/);
  expect(marks).toMatch(/F1\s+fault\s+50\.0–70\.0 s\s+partition worker-1 ↔ temporal-frontend/);
  expect(marks).toMatch(/C3\s+control\s+60\.0 s\s+set rate 4, max-in-flight 30/);
  expect(marks).toMatch(/K2\s+kill\s+80\.0 s\s+killed temporal-history \(SIGKILL\), not back/);
  await page.close();
});

test('the step table fits 1400 px with every column in view, and the page fits a phone', async () => {
  const file = writeReport([openRunResult(), breakpointResult()]);
  const wide = await open(file, 1400);
  expect(await overflow(wide.page)).toEqual({ page: 0, tables: [0, 0] });
  // The last column of the split, cut off before, ends inside the page.
  const header = wide.page.locator('table.steps th', { hasText: 'overhead p95 ms' }).first();
  const box = (await header.boundingBox())!;
  expect(box.x + box.width).toBeLessThanOrEqual(1400);
  const unreported = (await wide.page.locator('table.steps th', { hasText: 'unreported attempts' }).boundingBox())!;
  expect(unreported.x + unreported.width).toBeLessThanOrEqual(1400);
  await wide.page.close();

  const phone = await open(file, 390);
  expect(phone.errors).toEqual([]);
  expect(await overflow(phone.page)).toEqual({ page: 0, tables: [0, 0] });
  // Each step is a card of labelled figures.
  expect(await phone.page.locator('table.steps thead').first().isVisible()).toBe(false);
  const card = await phone.page.locator('table.steps tbody tr').nth(1).innerText();
  expect(card).toMatch(/^scene_\s*extraction/);
  expect(await phone.page.locator('table.steps td[data-label="overhead p95 ms"]').nth(1).innerText()).toBe('61.5');
  await phone.page.screenshot({ path: path.join(ARTIFACTS, 'html-report-phone.png'), fullPage: true });
  await phone.page.close();
});

test('the slowest and failed flows link to the Web UI, per step and for the flow; without a UI they are plain ids', async () => {
  const result = openRunResult();
  const { page, errors } = await open(writeReport([result]), 1400);
  expect(errors).toEqual([]);
  const rows = page.locator('table.exemplars tbody tr');
  expect(await rows.locator('td:first-child').allInnerTexts()).toEqual([
    'flow',
    'scene_extraction',
    'council_evaluation',
  ]);
  const base = 'http://ui.example:8233/namespaces/stress%20tests/workflows/';
  const ex = result.exemplars!;
  const hrefs = async (row: number, column: number) =>
    rows
      .nth(row)
      .locator(`td:nth-child(${column}) a`)
      .evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  expect(await hrefs(0, 2)).toEqual(ex.flow.slowest.map((e) => base + e.workflow_id));
  expect(await hrefs(0, 3)).toEqual(ex.flow.failed.map((e) => base + e.workflow_id));
  expect(await hrefs(2, 2)).toEqual(ex.steps.council_evaluation.slowest.map((e) => base + e.workflow_id));
  expect(await hrefs(2, 3)).toEqual(ex.steps.council_evaluation.failed.map((e) => base + e.workflow_id));
  expect(await rows.nth(0).innerText()).toMatch(
    /creative-flow-20261206-030000-open-flow-00017 4210 ms[\s\S]*flow-00057 at council_evaluation: council answered 503/,
  );
  await page.close();

  const plain = await open(writeReport([result], null), 1400);
  expect(await plain.page.locator('table.exemplars a').count()).toBe(0);
  expect(await plain.page.locator('table.exemplars code').count()).toBe(6);
  expect(await plain.page.locator('body').innerText()).toContain('No Web UI address is known (set TEMPORAL_UI_URL');
  await plain.page.close();
});

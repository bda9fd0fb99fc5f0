import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { awaitStressRun, startStressRun } from '../../src/cli/run-stress';
import type { StandardResult } from '../../src/result/schema';
import { workerMetricsEnv } from '../../src/stack/metrics-ports';
import { prometheusBinary, prometheusChildSpec, prometheusConfig } from '../../src/stack/monitoring';
import { readStackFileContent } from '../../src/stack/stack-file';
import { contractMetrics, seriesNames } from '../support/metrics-contract';
import { TEST_BUNDLE_FILE, TEST_DATA_DIR, TEST_PORT_OFFSET, TEST_STACK_FILE } from '../support/paths';
import { runOptions } from '../support/runs';
import { kill, runCommand, startUntil } from '../support/spawn';
import { testStackEnv, useTestStack } from '../support/stack';

// The shared stack runs Prometheus (globalSetup starts it with monitoring); this file starts worker 1 as a process,
// the way the stack starts its own, so what is scraped is the real worker's SDK exporter.
const stack = useTestStack();
let worker: ChildProcess | undefined;
let prometheus: string;
let result: StandardResult;

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

async function api<T>(pathAndQuery: string): Promise<T> {
  const res = await fetch(`${prometheus}${pathAndQuery}`);
  const body = (await res.json()) as { status: string; data: T; error?: string };
  if (body.status !== 'success') throw new Error(`Prometheus ${pathAndQuery}: ${body.error}`);
  return body.data;
}

const query = async (promql: string) =>
  (await api<{ result: Sample[] }>(`/api/v1/query?query=${encodeURIComponent(promql)}`)).result;

/** `sum by (label) (expr)` as a plain object, label value to number. */
async function sumBy(label: string, expr: string): Promise<Record<string, number>> {
  const rows = await query(`sum by (${label}) (${expr})`);
  return Object.fromEntries(rows.map((r) => [r.metric[label], Number(r.value[1])]));
}

/** Polls until `read` gives what `done` accepts (a scrape after the run has happened), or the deadline passes. */
async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

beforeAll(async () => {
  const url = readStackFileContent(TEST_STACK_FILE)?.prometheusUrl;
  if (!url)
    throw new Error(`the test stack (${TEST_STACK_FILE}) has no prometheusUrl: globalSetup runs it with monitoring`);
  prometheus = url;
  const env = {
    ...testStackEnv(),
    ...workerMetricsEnv(1, TEST_PORT_OFFSET),
    WORKFLOW_BUNDLE: fs.readFileSync(TEST_BUNDLE_FILE, 'utf8'),
  };
  worker = await startUntil(process.execPath, ['--import', 'tsx', 'src/worker.ts'], env, /worker ready/);
  const handle = await startStressRun(stack.client, runOptions({ count: 8, concurrency: 4 }));
  result = await awaitStressRun(stack.client, handle.workflowId);
});

afterAll(async () => {
  if (worker) await kill(worker, 'SIGTERM');
});

test('every process of the stack is a Prometheus target, and every target is up', async () => {
  type Targets = { activeTargets: Array<{ labels: Record<string, string>; health: string; lastError: string }> };
  const allUp = (t: Targets) => t.activeTargets.length > 0 && t.activeTargets.every((a) => a.health === 'up');
  const targets = await until(() => api<Targets>('/api/v1/targets'), allUp);
  const seen = targets.activeTargets.map((t) => ({ process: t.labels.process, health: t.health, error: t.lastError }));
  expect(seen.filter((t) => t.health !== 'up')).toEqual([]);
  const jobs = new Set(targets.activeTargets.map((t) => t.labels.job));
  expect([...jobs].sort()).toEqual(['executor', 'prometheus', 'service', 'stack', 'temporal', 'worker']);
  expect(seen.map((t) => t.process).sort()).toEqual(
    expect.arrayContaining(['gateway', 'executor-1', 'executor-2', 'worker-1', 'stack', 'temporal', 'prometheus']),
  );
});

test("the step histograms hold the run's counts: one observation per step execution, retries counted", async () => {
  expect(result.total_operations).toBe(8);
  const executions = Object.fromEntries(Object.entries(result.step_analysis).map(([s, a]) => [s, a.executions]));
  const retries = Object.fromEntries(Object.entries(result.step_analysis).map(([s, a]) => [s, a.retries]));
  const counted = (name: string) => () => sumBy('step', `${name}{flow="creative-flow"}`);
  const same = (want: Record<string, number>) => (got: Record<string, number>) => isDeepStrictEqual(got, want);
  // This worker process served the whole run, and only it: its series start at 0, so they equal the run's counts.
  for (const histogram of ['duration', 'service', 'overhead']) {
    const name = `geminivideo_step_${histogram}_seconds_count`;
    expect({ name, counts: await until(counted(name), same(executions)) }).toEqual({ name, counts: executions });
  }
  expect(await until(counted('geminivideo_step_retries_total'), same(retries))).toEqual(retries);
  const outcomes = {
    completed: result.successful - result.rejected,
    rejected: result.rejected,
    failed: result.failed,
  };
  const flows = await until(() => sumBy('outcome', 'geminivideo_flows_total{flow="creative-flow"}'), same(outcomes));
  expect(flows).toEqual(outcomes);
  expect(await sumBy('flow', 'geminivideo_flows_started_total')).toEqual({ 'creative-flow': 8 });
  // Durations are in seconds: the run's whole step time (sum of every execution) matches the result's ms.
  const sums = await sumBy('step', 'geminivideo_step_duration_seconds_sum{flow="creative-flow"}');
  for (const [step, a] of Object.entries(result.step_analysis)) {
    expect({ step, seconds: sums[step] }).toEqual({
      step,
      seconds: expect.closeTo((a.avg_duration_ms * a.executions) / 1000, 0),
    });
  }
});

test('every metric of the contract in docs/monitoring.md is exported by some target of the running stack', async () => {
  const contract = contractMetrics();
  expect(contract.length).toBeGreaterThanOrEqual(6);
  const missing: string[] = [];
  for (const metric of contract) {
    const selector = `{__name__=~"${seriesNames(metric).join('|')}"}`;
    const rows = await until(
      () => query(`count(${selector})`),
      (r) => r.length > 0,
      10_000,
    );
    if (!rows.length) missing.push(metric.name);
  }
  expect(missing).toEqual([]);
});

test("the SDK's own worker metrics are scraped from the worker, with Prometheus names", async () => {
  const rows = await query('sum by (process) (temporal_workflow_completed_total)');
  expect(rows.map((r) => r.metric.process)).toContain('worker-1');
  expect(await query('count(temporal_activity_execution_latency_seconds_bucket)')).toHaveLength(1);
});

test('stack.json records which Temporal runs: the dev server, the server version its CLI embeds, its addresses', () => {
  const file = readStackFileContent(TEST_STACK_FILE)!;
  expect(file.temporal).toEqual({
    kind: 'dev',
    version: expect.stringMatching(/^1\.\d+\.\d+$/),
    address: file.temporalAddress,
    ui_url: file.temporalUiUrl,
  });
});

/**
 * `start-workflow --monitoring` with nothing running: the stack it brings up for the run has a Prometheus, which
 * scrapes the run's own worker; read back from the data it leaves, by a Prometheus started on that folder.
 */
test("start-workflow --monitoring: the run's own stack runs Prometheus, and it scraped the run's worker", async () => {
  const offset = TEST_PORT_OFFSET + 400;
  const dataDir = fs.mkdtempSync(path.join(TEST_DATA_DIR, 'run-monitoring-'));
  fs.chmodSync(dataDir, 0o755);
  // Nothing points at the shared test stack: no TEMPORAL_*, DATABASE_URL or SERVICE_URL_*.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(TEMPORAL_(?!CLI_PATH)|DATABASE_URL|SERVICE_URL_)/.test(k)),
  );
  Object.assign(env, { GEMINIVIDEO_DATA_DIR: dataDir, GEMINIVIDEO_PORT_OFFSET: String(offset) });
  const args = ['creative-flow', '--count', '2', '--time-scale', '0.01', '--faults', 'none', '--monitoring'];
  const run = await runCommand('npm', ['run', '--silent', 'start-workflow', ...args], env);
  expect({ code: run.code, stderr: run.stderr }).toMatchObject({ code: 0 });
  expect(run.stderr).toContain(`starting Prometheus (http://127.0.0.1:${9090 + offset}), scraping 12 processes`);

  const port = 9090 + offset;
  const reader = prometheusChildSpec({
    binary: prometheusBinary(),
    config: prometheusConfig({ targets: [] }),
    dataDir: path.join(dataDir, 'prometheus'),
    logDir: path.join(dataDir, 'logs'),
    port,
  });
  let served: { stop(): Promise<void> } | undefined;
  try {
    await reader.start((p) => (served = p));
    const res = await fetch(
      `http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent('max by (process) (max_over_time(up[30m]))')}`,
    );
    const body = (await res.json()) as { data: { result: Sample[] } };
    const up = Object.fromEntries(body.data.result.map((r) => [r.metric.process, Number(r.value[1])]));
    expect(up).toMatchObject({ worker: 1, temporal: 1, stack: 1, gateway: 1, 'executor-1': 1 });
  } finally {
    await served?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}, 240_000);

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  metricsPlan,
  MonitoringUnavailable,
  prometheusBinary,
  prometheusConfig,
  RULES_FILE,
} from '../../src/stack/monitoring';
import { METRICS_PORTS, workerMetricsPort } from '../../src/stack/metrics-ports';
import { contractMetrics, seriesNames } from '../support/metrics-contract';
import { runCommand } from '../support/spawn';

const PROMTOOL = process.env.PROMTOOL_PATH ?? '/usr/bin/promtool';

const targets = [
  { job: 'stack' as const, process: 'stack', address: '127.0.0.1:9400' },
  { job: 'service' as const, process: 'gateway', address: '127.0.0.1:8000' },
  { job: 'service' as const, process: 'ml-service', address: '127.0.0.1:8004' },
  { job: 'worker' as const, process: 'worker', address: '127.0.0.1:9421' },
];

test('the generated config: one job per kind of process, every target labelled with its process name', () => {
  const config = JSON.parse(prometheusConfig({ targets, scrapeIntervalSeconds: 2, ruleFiles: [RULES_FILE] }));
  expect(config.global).toEqual({ scrape_interval: '2s', scrape_timeout: '2s', evaluation_interval: '2s' });
  expect(config.scrape_configs).toEqual([
    { job_name: 'stack', static_configs: [{ targets: ['127.0.0.1:9400'], labels: { process: 'stack' } }] },
    {
      job_name: 'service',
      static_configs: [
        { targets: ['127.0.0.1:8000'], labels: { process: 'gateway' } },
        { targets: ['127.0.0.1:8004'], labels: { process: 'ml-service' } },
      ],
    },
    { job_name: 'worker', static_configs: [{ targets: ['127.0.0.1:9421'], labels: { process: 'worker' } }] },
  ]);
});

test('promtool accepts the generated config, with the alert rules it loads', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prom-config-'));
  try {
    const file = path.join(dir, 'prometheus.yml');
    fs.writeFileSync(file, prometheusConfig({ targets, ruleFiles: [RULES_FILE] }));
    const { code, stdout, stderr } = await runCommand(PROMTOOL, ['check', 'config', file], {
      ...process.env,
      NO_COLOR: '1',
    });
    expect({ code, out: stdout + stderr }).toMatchObject({ code: 0 });
    expect(stdout).toMatch(/SUCCESS: 6 rules found/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('each worker has its own metrics port on the stack scheme; a bad index is refused', () => {
  expect([1, 2, 3].map((i) => workerMetricsPort(i, 10_000))).toEqual([19421, 19422, 19423]);
  expect(workerMetricsPort(1, 0)).toBe(METRICS_PORTS.worker + 1);
  expect(() => workerMetricsPort(0, 0)).toThrow(/worker index 0: a whole number from 1 to 79/);
});

test('a missing Prometheus is one clear error naming the path and how to install it', () => {
  expect(() => prometheusBinary({ PROMETHEUS_PATH: '/nowhere/prometheus' })).toThrow(MonitoringUnavailable);
  expect(() => prometheusBinary({ PROMETHEUS_PATH: '/nowhere/prometheus' })).toThrow(
    /no(ne)? .*\/nowhere\/prometheus: run 'npm run setup'/,
  );
});

test('the contract table of docs/monitoring.md parses: backticked names first, each with its type', () => {
  const contract = contractMetrics();
  expect(contract.map((m) => m.name)).toEqual(
    expect.arrayContaining(['geminivideo_flows_total', 'geminivideo_step_duration_seconds', 'gateway_circuit_state']),
  );
  expect(contract.find((m) => m.name === 'geminivideo_step_duration_seconds')?.type).toBe('histogram');
  expect(seriesNames({ name: 'x_seconds', type: 'histogram' })).toEqual([
    'x_seconds_bucket',
    'x_seconds_count',
    'x_seconds_sum',
  ]);
  expect(seriesNames({ name: 'x_total', type: 'counter' })).toEqual(['x_total']);
  const doc =
    '## The metrics\n\n| metric | type |\n| --- | --- |\n| `a_total` | counter |\n| `b` | gauge, 1 for on |\n';
  expect(contractMetrics(doc)).toEqual([
    { name: 'a_total', type: 'counter' },
    { name: 'b', type: 'gauge' },
  ]);
});

test("the stack's metrics plan: every process a target on the port scheme; only its own ports are checked free", () => {
  const plan = metricsPlan({
    portOffset: 10_000,
    dataDir: os.tmpdir(),
    devServer: true,
    executors: 2,
    workers: 0,
    monitoring: { workers: 1 },
  });
  expect(plan.prometheusUrl).toBe('http://127.0.0.1:19090');
  expect(plan.prometheus!.targets.map((t) => `${t.job}/${t.process}=${t.address.split(':')[1]}`)).toEqual([
    'stack/stack=19400',
    'temporal/temporal=19401',
    'service/gateway=18000',
    'service/drive-intel=18001',
    'service/video-agent=18002',
    'service/meta-publisher=18003',
    'service/ml-service=18004',
    'service/titan-core=18005',
    'executor/executor-1=19411',
    'executor/executor-2=19412',
    'worker/worker-1=19421',
    'prometheus/prometheus=19090',
  ]);
  // Worker 1 is scraped, but a test starts it: the stack checks only the ports it binds itself.
  expect(plan.ports.map((p) => p.port)).toEqual([19400, 19401, 19411, 19412, 19090]);
  const plain = metricsPlan({ portOffset: 0, dataDir: os.tmpdir(), devServer: false, executors: 2, workers: 1 });
  expect(plain.prometheus).toBeUndefined();
  expect(plain.urls).toMatchObject({ worker: 'http://127.0.0.1:9421/metrics', stack: 'http://127.0.0.1:9400/metrics' });
  expect(plain.urls.temporal).toBeUndefined();
});

test('a cluster stack scrapes each Temporal role on its own port, every worker, and parts on their own hosts', () => {
  const plan = metricsPlan({
    portOffset: 10_000,
    dataDir: os.tmpdir(),
    devServer: false,
    cluster: true,
    executors: 2,
    workers: 2,
    monitoring: true,
  });
  const targets = plan.prometheus!.targets.map((t) => `${t.job}/${t.process}=${t.address}`);
  expect(targets.filter((t) => /^(temporal|worker)\//.test(t))).toEqual([
    'temporal/temporal-frontend=127.0.0.1:19402',
    'temporal/temporal-history=127.0.0.1:19403',
    'temporal/temporal-matching=127.0.0.1:19404',
    'temporal/temporal-worker=127.0.0.1:19405',
    'worker/worker-1=127.0.0.1:19421',
    'worker/worker-2=127.0.0.1:19422',
  ]);
  // The generated config lists every one of them, labelled with the process name chaos and stack.json use.
  const config = JSON.parse(prometheusConfig({ targets: plan.prometheus!.targets })) as {
    scrape_configs: Array<{
      job_name: string;
      static_configs: Array<{ targets: string[]; labels: { process: string } }>;
    }>;
  };
  const scraped = config.scrape_configs.flatMap((j) =>
    j.static_configs.map((c) => `${j.job_name}/${c.labels.process}=${c.targets[0]}`),
  );
  expect(scraped).toEqual(targets);
  // The stack binds the roles' metrics ports itself, so they are checked free before anything starts.
  expect(plan.ports.map((p) => p.port)).toEqual(expect.arrayContaining([19402, 19403, 19404, 19405, 19421, 19422]));
  expect(plan.urls['temporal-history']).toBe('http://127.0.0.1:19403/metrics');

  const onHosts = metricsPlan({
    portOffset: 0,
    dataDir: os.tmpdir(),
    devServer: false,
    cluster: true,
    executors: 2,
    workers: 2,
    hosts: { 'temporal-history': { ip: '10.77.0.4' }, 'worker-2': { ip: '10.77.0.20' } },
  });
  expect(onHosts.urls).toMatchObject({
    'temporal-history': 'http://10.77.0.4:9403/metrics',
    'worker-2': 'http://10.77.0.20:9422/metrics',
    'temporal-frontend': 'http://127.0.0.1:9402/metrics',
  });
});

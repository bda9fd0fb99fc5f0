import fs from 'node:fs';
import path from 'node:path';
import { request } from 'undici';
import client from 'prom-client';
import { PROJECT_ROOT } from '../config';
import { SERVICE_NAMES, SERVICES } from '../services/catalog';
import { serveMetrics } from '../services/shared/metrics-server';
import { executorMetricsPort, METRICS_PORTS, workerMetricsPort } from './metrics-ports';
import { startProcess, waitUntilReady } from './processes';
import type { ChildStatus } from './stack-file';
import type { ChildSpec } from './supervisor';
import { CLUSTER_ROLES, roleMetricsPort } from './temporal-cluster-config';

/** Debian's `prometheus` package (installed by `npm run setup`); PROMETHEUS_PATH names another. */
export function prometheusBinary(env: NodeJS.ProcessEnv = process.env): string {
  const binary = env.PROMETHEUS_PATH ?? '/usr/bin/prometheus';
  if (!fs.existsSync(binary)) {
    throw new MonitoringUnavailable(
      `--monitoring needs Prometheus, and there is none at ${binary}: run 'npm run setup' (it installs Debian's ` +
        `'prometheus' package when run as root), or 'apt-get install prometheus', or set PROMETHEUS_PATH`,
    );
  }
  return binary;
}

export class MonitoringUnavailable extends Error {
  override name = 'MonitoringUnavailable';
}

/** One process Prometheus scrapes: its job (what kind of process), its name in the stack, its metrics address. */
export interface ScrapeTarget {
  job: 'temporal' | 'service' | 'executor' | 'worker' | 'stack' | 'prometheus';
  /** The stack's child name (the supervisor's `process` label): a service name, executor-1, worker-1, stack… */
  process: string;
  /** host:port, serving GET /metrics. */
  address: string;
}

export interface PrometheusConfigOptions {
  targets: ScrapeTarget[];
  scrapeIntervalSeconds?: number;
  ruleFiles?: string[];
}

/** The alert rules the generated config loads, so they evaluate against the stack's own metrics. */
export const RULES_FILE = path.join(PROJECT_ROOT, 'monitoring', 'rules.yml');

/**
 * A Prometheus config scraping every target, one job per kind of process, each target labelled with its `process`
 * name. Written as JSON, which is YAML too. A short interval (2 s), so a test sees a run's counts within seconds.
 */
export function prometheusConfig(opts: PrometheusConfigOptions): string {
  const interval = `${opts.scrapeIntervalSeconds ?? 2}s`;
  const jobs = new Map<string, ScrapeTarget[]>();
  for (const t of opts.targets) jobs.set(t.job, [...(jobs.get(t.job) ?? []), t]);
  const config = {
    global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval },
    rule_files: opts.ruleFiles ?? [],
    scrape_configs: [...jobs].map(([job, targets]) => ({
      job_name: job,
      static_configs: targets.map((t) => ({ targets: [t.address], labels: { process: t.process } })),
    })),
  };
  return JSON.stringify(config, null, 2) + '\n';
}

/** Prometheus as a supervised child: the generated config, its storage under the stack's data dir, loopback only. */
export function prometheusChildSpec(opts: {
  binary: string;
  config: string;
  dataDir: string;
  logDir: string;
  port: number;
}): ChildSpec {
  const configFile = path.join(opts.dataDir, 'prometheus.yml');
  const url = `http://127.0.0.1:${opts.port}`;
  return {
    name: 'prometheus',
    async start(onSpawn) {
      fs.mkdirSync(path.join(opts.dataDir, 'data'), { recursive: true });
      fs.writeFileSync(configFile, opts.config);
      const p = startProcess(
        'prometheus',
        opts.binary,
        [
          `--config.file=${configFile}`,
          `--storage.tsdb.path=${path.join(opts.dataDir, 'data')}`,
          `--web.listen-address=127.0.0.1:${opts.port}`,
          '--storage.tsdb.retention.time=7d',
          '--log.level=warn',
        ],
        { logDir: opts.logDir, onSpawn },
      );
      await waitUntilReady(p, `Prometheus (${url})`, () => answers200(`${url}/-/ready`), 60_000);
      return p;
    },
  };
}

async function answers200(url: string): Promise<boolean> {
  const res = await request(url, { headersTimeout: 1000, bodyTimeout: 1000 });
  await res.body.dump();
  return res.statusCode === 200;
}

/**
 * The stack process's own metrics: every supervised child's restarts (`geminivideo_process_restarts_total`,
 * each child at 0 from its first start) and the process's default metrics, served on 127.0.0.1:`port`.
 */
export async function serveStackMetrics(
  children: () => ChildStatus[],
  port: number,
): Promise<{ close(): Promise<void> }> {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  new client.Counter({
    name: 'geminivideo_process_restarts_total',
    help: "Restarts of the stack's supervised processes by the supervisor, by process",
    labelNames: ['process'],
    registers: [registry],
    collect() {
      this.reset();
      for (const c of children()) this.inc({ process: c.name }, c.restarts);
    },
  });
  return serveMetrics(registry, port);
}

/** Where the stack's own metrics and Prometheus listen, after the offset. */
export function monitoringPorts(portOffset: number): { prometheus: number; stack: number; temporal: number } {
  return {
    prometheus: METRICS_PORTS.prometheus + portOffset,
    stack: METRICS_PORTS.stack + portOffset,
    temporal: METRICS_PORTS.temporal + portOffset,
  };
}

export interface MetricsPlanOptions {
  portOffset: number;
  dataDir: string;
  /** The stack runs the dev server (not a Temporal named by TEMPORAL_ADDRESS). */
  devServer: boolean;
  /** The stack runs the official server: each role process serves its own metrics (temporal-cluster-config.ts). */
  cluster?: boolean;
  /** With `--hosts`: each part's address by its name (temporal-history, worker-2…); loopback for the rest. */
  hosts?: Record<string, { ip: string }>;
  executors: number;
  /** Workers the stack starts: `worker` for one, else worker-1 … worker-N. */
  workers: number;
  monitoring?: boolean | { workers?: number };
}

/** A part's exporter address: on its own host with `--hosts`, else on loopback. */
const at = (opts: MetricsPlanOptions, part: string, port: number) => `${opts.hosts?.[part]?.ip ?? '127.0.0.1'}:${port}`;

/** The workers' exporters: those the stack starts, or as many as monitoring expects when more. */
function workerTargets(opts: MetricsPlanOptions): ScrapeTarget[] {
  const started = opts.workers;
  const scraped = typeof opts.monitoring === 'object' ? (opts.monitoring.workers ?? started) : started;
  return Array.from({ length: Math.max(started, scraped) }, (_, i) => {
    const process = started === 1 && i === 0 ? 'worker' : `worker-${i + 1}`;
    return { job: 'worker' as const, process, address: at(opts, process, workerMetricsPort(i + 1, opts.portOffset)) };
  });
}

/** Each cluster role's own server metrics, named as the supervisor and chaos name the role (temporal-history…). */
function clusterTargets(opts: MetricsPlanOptions): ScrapeTarget[] {
  if (!opts.cluster) return [];
  return CLUSTER_ROLES.map((r) => {
    const process = `temporal-${r}`;
    return { job: 'temporal' as const, process, address: at(opts, process, roleMetricsPort(r, opts.portOffset)) };
  });
}

/** Every process's exporter but the workers': the stack's own, the dev server's, the services', the executors'. */
function processTargets(opts: MetricsPlanOptions): ScrapeTarget[] {
  const offset = opts.portOffset;
  const base = monitoringPorts(offset);
  return [
    { job: 'stack', process: 'stack', address: `127.0.0.1:${base.stack}` },
    ...(opts.devServer
      ? [{ job: 'temporal' as const, process: 'temporal', address: `127.0.0.1:${base.temporal}` }]
      : []),
    ...clusterTargets(opts),
    ...SERVICE_NAMES.map((s) => ({
      job: 'service' as const,
      process: s,
      address: at(opts, s, SERVICES[s].port + offset),
    })),
    ...Array.from({ length: opts.executors }, (_, i) => ({
      job: 'executor' as const,
      process: `executor-${i + 1}`,
      address: at(opts, `executor-${i + 1}`, executorMetricsPort(i + 1, offset)),
    })),
  ];
}

/** The exporter ports the stack binds itself (a worker it does not start binds its own). */
function ownExporterPorts(opts: MetricsPlanOptions, workers: ScrapeTarget[]): Array<{ port: number; what: string }> {
  const offset = opts.portOffset;
  const base = monitoringPorts(offset);
  return [
    { port: base.stack, what: "the stack's metrics" },
    ...(opts.devServer ? [{ port: base.temporal, what: "the Temporal dev server's metrics" }] : []),
    ...(opts.cluster
      ? CLUSTER_ROLES.map((r) => ({ port: roleMetricsPort(r, offset), what: `the Temporal ${r}'s metrics` }))
      : []),
    ...Array.from({ length: opts.executors }, (_, i) => ({
      port: executorMetricsPort(i + 1, offset),
      what: `executor-${i + 1}'s metrics`,
    })),
    ...workers
      .slice(0, opts.workers)
      .map((w, i) => ({ port: workerMetricsPort(i + 1, offset), what: `${w.process}'s metrics` })),
  ];
}

/** Prometheus as a child of the stack, scraping `targets` and itself. */
function prometheusPlan(opts: MetricsPlanOptions, exporters: ScrapeTarget[]) {
  const port = monitoringPorts(opts.portOffset).prometheus;
  const binary = prometheusBinary();
  const targets: ScrapeTarget[] = [
    ...exporters,
    { job: 'prometheus', process: 'prometheus', address: `127.0.0.1:${port}` },
  ];
  return {
    targets,
    ...prometheusChildSpec({
      binary,
      config: prometheusConfig({ targets, ruleFiles: [RULES_FILE] }),
      dataDir: path.join(opts.dataDir, 'prometheus'),
      logDir: path.join(opts.dataDir, 'logs'),
      port,
    }),
  };
}

/**
 * Every exporter's port (on the stack's scheme, see metrics-ports.ts) and, with monitoring, the Prometheus that
 * scrapes them. Checked first: a missing Prometheus is an error before anything starts.
 */
export function metricsPlan(opts: MetricsPlanOptions) {
  const base = monitoringPorts(opts.portOffset);
  const workers = workerTargets(opts);
  const targets = [...processTargets(opts), ...workers];
  const ownPorts = ownExporterPorts(opts, workers);
  const urls = Object.fromEntries(targets.map((t) => [t.process, `http://${t.address}/metrics`]));
  if (!opts.monitoring) {
    return { ports: ownPorts, stackPort: base.stack, temporalPort: base.temporal, urls, prometheus: undefined };
  }
  return {
    ports: [...ownPorts, { port: base.prometheus, what: 'Prometheus' }],
    stackPort: base.stack,
    temporalPort: base.temporal,
    urls,
    prometheusUrl: `http://127.0.0.1:${base.prometheus}`,
    prometheus: prometheusPlan(opts, targets),
  };
}

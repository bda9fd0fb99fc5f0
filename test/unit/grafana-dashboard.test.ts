import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { knownSeries, promqlMetricNamesReader } from '../support/metric-names';
import { ROOT } from '../support/spawn';

/** The compose project's Grafana: its provisioning, and the dashboard's queries against the metrics contract. */
const GRAFANA = path.join(ROOT, 'temporal-docker/grafana');
const DASHBOARD_FILE = path.join(GRAFANA, 'dashboards/geminivideo.json');

interface Target {
  refId: string;
  expr: string;
  datasource?: { uid: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type: string; uid: string };
  targets?: Target[];
}
interface Dashboard {
  uid: string;
  panels: Panel[];
  templating: { list: Array<{ name: string; query: { query: string } | string; datasource?: { uid: string } }> };
}

const dashboard = JSON.parse(fs.readFileSync(DASHBOARD_FILE, 'utf8')) as Dashboard;
const queryPanels = dashboard.panels.filter((p) => p.type !== 'row');
const datasources = parseYaml(
  fs.readFileSync(path.join(GRAFANA, 'provisioning/datasources/prometheus.yml'), 'utf8'),
) as {
  datasources: Array<{ uid: string; type: string; url: string }>;
};

/**
 * Grafana's own interval variables stand for a duration; the dashboard's `$flow` sits inside a regex matcher's
 * string. Substituted so the expression is PromQL as Prometheus receives it.
 */
const asSent = (expr: string) => expr.replace(/\$__(rate_interval|interval|range)\b/g, '5m');

/** Every query of the dashboard: each panel target's expression and each `label_values(metric, label)` variable. */
function queries(): Array<{ where: string; expr: string }> {
  const fromPanels = queryPanels.flatMap((p) =>
    (p.targets ?? []).map((t) => ({ where: `panel ${p.id} "${p.title}" ${t.refId}`, expr: asSent(t.expr) })),
  );
  const fromVariables = dashboard.templating.list.map((v) => {
    const query = typeof v.query === 'string' ? v.query : v.query.query;
    const metric = /^label_values\((.+),\s*\w+\)$/.exec(query)?.[1];
    if (!metric) throw new Error(`variable ${v.name}: not a label_values(metric, label) query: ${query}`);
    return { where: `variable ${v.name}`, expr: metric };
  });
  return [...fromPanels, ...fromVariables];
}

test('every panel queries the provisioned Prometheus data source', () => {
  expect(datasources.datasources).toEqual([
    expect.objectContaining({ type: 'prometheus', uid: 'prometheus', url: 'http://prometheus:9090' }),
  ]);
  const uids = new Set(datasources.datasources.map((d) => d.uid));
  expect(queryPanels.length).toBeGreaterThanOrEqual(15);
  for (const p of queryPanels) {
    expect({ panel: p.title, uid: uids.has(p.datasource?.uid ?? '') }).toEqual({ panel: p.title, uid: true });
    expect({ panel: p.title, targets: (p.targets ?? []).length > 0 }).toEqual({ panel: p.title, targets: true });
  }
});

test("every query parses with Prometheus's grammar and names only metrics the project exports", async () => {
  const namesOf = await promqlMetricNamesReader();
  const known = knownSeries();
  const unknown: string[] = [];
  const read = new Set<string>();
  for (const { where, expr } of queries()) {
    let names: string[];
    try {
      names = namesOf(expr);
    } catch (err) {
      throw new Error(`${where}: ${(err as Error).message}`);
    }
    expect({ where, names: names.length > 0 }).toEqual({ where, names: true });
    for (const name of names) {
      read.add(name);
      if (!known(name)) unknown.push(`${where}: ${name}`);
    }
  }
  expect(unknown).toEqual([]);
  // The panels the dashboard is for: flows, steps, the executors, restarts, circuits.
  for (const name of [
    'geminivideo_flows_total',
    'geminivideo_step_duration_seconds_bucket',
    'geminivideo_executor_queue_depth',
    'geminivideo_executor_dead_letters_total',
    'process_start_time_seconds',
    'gateway_circuit_state',
    'service_latency_bucket',
    'persistence_latency_bucket',
  ])
    expect({ name, read: read.has(name) }).toEqual({ name, read: true });
});

test('the metric-name check itself: a misspelt or unparsable query is caught', async () => {
  const namesOf = await promqlMetricNamesReader();
  const known = knownSeries();
  expect(namesOf('sum by (flow) (rate(geminivideo_flows_total{outcome="failed"}[5m]))')).toEqual([
    'geminivideo_flows_total',
  ]);
  expect(namesOf('histogram_quantile(0.95, rate(geminivideo_step_duration_seconds_bucket[5m]))')).toEqual([
    'geminivideo_step_duration_seconds_bucket',
  ]);
  expect(known('geminivideo_step_duration_seconds_bucket')).toBe(true);
  // A misspelt name, and a histogram's suffix on a counter.
  expect(known('geminivideo_flow_total')).toBe(false);
  expect(known('geminivideo_flows_total_sum')).toBe(false);
  expect(namesOf('{__name__="up"}')).toEqual(['up']);
  expect(() => namesOf('rate(geminivideo_flows_total[5m]')).toThrow(/does not parse/);
});

test('the dashboard file is where the provisioning loads dashboards from, as the compose file mounts it', () => {
  const provider = parseYaml(
    fs.readFileSync(path.join(GRAFANA, 'provisioning/dashboards/geminivideo.yml'), 'utf8'),
  ) as {
    providers: Array<{ type: string; options: { path: string } }>;
  };
  const compose = parseYaml(fs.readFileSync(path.join(ROOT, 'temporal-docker/docker-compose.yml'), 'utf8')) as {
    services: { grafana: { volumes: string[]; environment: Record<string, string> } };
  };
  const mounts = compose.services.grafana.volumes.map((v) => v.split(':'));
  const dashboards = mounts.find(([source]) => source === './grafana/dashboards')!;
  expect(provider.providers[0]).toMatchObject({ type: 'file', options: { path: dashboards[1] } });
  expect(mounts.find(([source]) => source === './grafana/provisioning')?.[1]).toBe('/etc/grafana/provisioning');
  const home = compose.services.grafana.environment.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH;
  expect(home).toBe(`${dashboards[1]}/${path.basename(DASHBOARD_FILE)}`);
  expect(dashboard.uid).toBe('geminivideo-sim');
});

test("the Temporal server's p95 latency by role sits beside the steps' p95; its latency panels leave long polls out", () => {
  const reading = (pattern: RegExp) => queryPanels.filter((p) => (p.targets ?? []).some((t) => pattern.test(t.expr)));
  const [steps] = reading(
    /histogram_quantile\(0\.95, sum by \(flow, step, le\) \(rate\(geminivideo_step_duration_seconds_bucket/,
  );
  const [server] = reading(/histogram_quantile\(0\.95, sum by \(service_name, le\) \(rate\(service_latency_bucket/);
  expect({ steps: steps?.title, server: server?.title }).toEqual({
    steps: 'Step p95 duration',
    server: 'Temporal server p95 latency, by role',
  });
  // Same row, side by side.
  expect(server.gridPos.y).toBe(steps.gridPos.y);
  expect(server.gridPos.x).toBe(steps.gridPos.x + steps.gridPos.w);
  // A long poll waits by design (up to a minute): in a p95 it would hide the server's real latency.
  const latency = reading(/\bservice_latency_bucket\b/);
  expect(latency.length).toBeGreaterThanOrEqual(2);
  for (const p of latency)
    for (const t of p.targets ?? [])
      expect({ panel: p.title, expr: t.expr }).toEqual({
        panel: p.title,
        expr: expect.stringContaining('operation!~"Poll.*|GetWorkflowExecutionHistory"'),
      });
  // The database calls' latency, by role and operation.
  expect(reading(/\bpersistence_latency_bucket\b/).map((p) => p.title)).toEqual([
    'Persistence p95 latency, by operation (top 10)',
  ]);
});

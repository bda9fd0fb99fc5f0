import { Client, Connection } from '@temporalio/client';
import fs from 'node:fs';
import path from 'node:path';
import { awaitStressRun, startStressRun } from '../../src/cli/run-stress';
import { isAlive } from '../../src/proc';
import type { StandardResult } from '../../src/result/schema';
import { workerMetricsEnv } from '../../src/stack/metrics-ports';
import { metricsPlan, prometheusBinary, prometheusChildSpec, prometheusConfig } from '../../src/stack/monitoring';
import { printed } from '../../src/stack/node-child';
import { startProcess, waitUntilReady, type ManagedProcess } from '../../src/stack/processes';
import { workerNames } from '../../src/stack/stack';
import { startTemporalCluster } from '../../src/stack/temporal-cluster';
import { hostsPrerequisiteMissing } from '../../src/stack/hosts/preflight';
import { CLUSTER_ROLES } from '../../src/stack/temporal-cluster-config';
import { findServerBinaries, SERVER_BINARIES, type ServerBinaries } from '../../src/stack/temporal-server-binary';
import {
  expectOfficialServer,
  expectRolesReportOwnLatency,
  listedByUiAt,
  promQueryAt,
} from '../support/cluster-checks';
import { TEST_BUNDLE_FILE, TEST_DATA_DIR, TEST_PORT_OFFSET } from '../support/paths';
import { childWorkflowId, runOptions, waitForCompleted } from '../support/runs';
import { testEndpoints, testStackEnv } from '../support/stack';

/**
 * The official multi-role server on the shared test stack's PostgreSQL (two databases of its own there), its Web UI
 * server, and two real worker processes pointed at it; the stack's services and executors serve the flows. Tests
 * never build the server: `npm run setup` does. Without the binaries this fails in CI and is skipped elsewhere.
 */
const binaries = findServerBinaries();
const missing = (Object.keys(SERVER_BINARIES) as Array<keyof ServerBinaries>).filter((k) => !binaries[k]);
const why = `the pinned Temporal server binaries (${missing.join(', ')}) are not built: run 'npm run setup'`;
if (missing.length && process.env.CI === 'true') {
  test('the cluster binaries are built', () => {
    throw new Error(why);
  });
} else if (missing.length) {
  console.warn(`temporal-cluster tests skipped: ${why}`);
}
// Where namespaces can be made (root, ip: CI), hosts.test.ts runs these assertions on its cluster: one cluster, not two.
const onHosts = !missing.length && hostsPrerequisiteMissing() === null;
if (onHosts) console.warn('temporal-cluster tests run on the --hosts cluster here: see hosts.test.ts');
const describeCluster = missing.length || onHosts ? describe.skip : describe;

const OFFSET = TEST_PORT_OFFSET + 200;
const UI_PORT = 8233 + OFFSET;
const dataDir = path.join(TEST_DATA_DIR, 'cluster');
const logDir = path.join(dataDir, 'logs');
const serverProcesses: ManagedProcess[] = [];
const workers: ManagedProcess[] = [];
let cluster: { address: string; uiUrl: string };
let connection: Connection;
let client: Client;
let prometheus: { url: string; process?: ManagedProcess };

describeCluster('the official Temporal server as four roles on PostgreSQL', () => {
  beforeAll(async () => {
    fs.rmSync(dataDir, { recursive: true, force: true });
    cluster = await startTemporalCluster({
      binaries: binaries as ServerBinaries,
      databaseUrl: testEndpoints().databaseUrl!,
      dataDir,
      logDir,
      namespace: 'default',
      portOffset: OFFSET,
      uiPort: UI_PORT,
      onSpawn: (p) => serverProcesses.push(p),
    });
    connection = await Connection.connect({ address: cluster.address });
    client = new Client({ connection, namespace: 'default' });
    // Two real worker processes, unsupervised: when one is killed, the other alone must finish every flow.
    const env = {
      ...testStackEnv(),
      TEMPORAL_ADDRESS: cluster.address,
      TEMPORAL_UI_URL: cluster.uiUrl,
      WORKFLOW_BUNDLE: fs.readFileSync(TEST_BUNDLE_FILE, 'utf8'),
    };
    for (const [i, name] of workerNames(2).entries()) {
      const node = process.execPath;
      const own = { ...env, ...workerMetricsEnv(i + 1, OFFSET) };
      workers.push(
        startProcess(name, node, ['--import', 'tsx', 'src/worker.ts'], { env: own, logDir, cwd: process.cwd() }),
      );
    }
    await Promise.all(workers.map((w) => waitUntilReady(w, w.name, () => printed('worker ready')(w), 180_000)));
    await startClusterPrometheus();
  }, 300_000);

  afterAll(async () => {
    await connection?.close();
    for (const p of [...workers, ...serverProcesses.reverse()]) await p.stop();
    await prometheus?.process?.stop();
  });

  test('frontend, history, matching and worker run as processes of their own; stores in PostgreSQL, 4 shards', async () => {
    expect(serverProcesses.map((p) => p.name)).toEqual([...CLUSTER_ROLES.map((r) => `temporal-${r}`), 'temporal-ui']);
    expect(serverProcesses.every((p) => isAlive(p.child.pid!))).toBe(true);
    await expectOfficialServer(connection);
  });

  test('creative-flow and budget-optimization on two workers: one SIGKILLed mid-run, every flow completes', async () => {
    const creative = runOptions({ flow: 'creative-flow', count: 20, concurrency: 5 });
    const budget = runOptions({ flow: 'budget-optimization', count: 20, concurrency: 5, timeScale: 0.001 });
    const handles = await Promise.all([startStressRun(client, creative), startStressRun(client, budget)]);
    // Killed once flows have really completed on the cluster, while most are still to run.
    await waitForCompleted(client, handles[0].workflowId, 3, 120_000);
    const [killed, survivor] = workers;
    process.kill(killed.child.pid!, 'SIGKILL');
    await killed.exited;
    const results: StandardResult[] = await Promise.all(handles.map((h) => awaitStressRun(client, h.workflowId)));

    for (const result of results) {
      expect({ flow: result.flow, failed: result.failed, successful: result.successful }).toEqual({
        flow: result.flow,
        failed: 0,
        successful: 20,
      });
    }
    // The survivor served the rest alone.
    expect(killed.child.signalCode).toBe('SIGKILL');
    expect(isAlive(survivor.child.pid!)).toBe(true);

    // The official UI server's HTTP API lists the run's flows (and its parent), read from visibility in PostgreSQL.
    for (const result of results) {
      const wanted = [result.run_id, ...Array.from({ length: 20 }, (_, i) => childWorkflowId(result.run_id, i))];
      const listed = await listedByUi(result.run_id, wanted.length);
      expect(listed.sort()).toEqual(wanted.sort());
    }
  }, 300_000);

  test('monitoring: Prometheus has scraped every cluster role and both workers; each role serves its own metrics', async () => {
    const roles = CLUSTER_ROLES.map((r) => `temporal-${r}`);
    // Every target answered a scrape (worker-1 may have been killed since: its earlier scrapes count).
    const everUp = async () => {
      const rows = await promQuery('max by (process) (max_over_time(up[30m]))');
      return Object.fromEntries(rows.map((r) => [r.metric.process, Number(r.value[1])]));
    };
    const want = Object.fromEntries([...roles, 'worker-1', 'worker-2'].map((p) => [p, 1]));
    let up: Record<string, number> = {};
    await waitUntilReady(undefined, 'a scrape of every role and worker', async () => {
      up = await everUp();
      return Object.keys(want).every((p) => up[p] === 1);
    });
    expect(up).toEqual(want);
    await expectRolesReportOwnLatency(prometheus.url);
  }, 120_000);
});

/**
 * A Prometheus for this cluster, scraping what the stack's metrics plan names for a cluster with two workers:
 * the four roles' server metrics and the workers' exporters (the shared stack's Prometheus scrapes the rest).
 */
async function startClusterPrometheus(): Promise<void> {
  const plan = metricsPlan({
    portOffset: OFFSET,
    dataDir,
    devServer: false,
    cluster: true,
    executors: 0,
    workers: 2,
    monitoring: true,
  });
  const targets = plan.prometheus!.targets.filter((t) => t.job === 'temporal' || t.job === 'worker');
  expect(targets.map((t) => t.process)).toEqual([...CLUSTER_ROLES.map((r) => `temporal-${r}`), 'worker-1', 'worker-2']);
  const port = Number(new URL(plan.prometheusUrl!).port);
  const spec = prometheusChildSpec({
    binary: prometheusBinary(),
    config: prometheusConfig({ targets }),
    dataDir: path.join(dataDir, 'prometheus'),
    logDir,
    port,
  });
  prometheus = { url: plan.prometheusUrl! };
  await spec.start((p) => (prometheus.process = p));
  // A first scrape of each before any test runs: the kill test takes worker-1 away within seconds.
  await waitUntilReady(undefined, 'a first scrape of every role and worker', async () => {
    const up = await promQuery('up == 1');
    return targets.every((t) => up.some((r) => r.metric.process === t.process));
  });
}

/** An instant query to the stack's Prometheus. */
const promQuery = (promql: string) => promQueryAt(prometheus.url, promql);

/** The workflow ids the Web UI server lists for a run, polled until visibility has caught up with all of them. */
const listedByUi = (runId: string, expected: number) => listedByUiAt(cluster.uiUrl, runId, expected);

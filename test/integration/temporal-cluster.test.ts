import { Client, Connection } from '@temporalio/client';
import fs from 'node:fs';
import path from 'node:path';
import { request } from 'undici';
import { awaitStressRun, startStressRun } from '../../src/cli/run-stress';
import { SEARCH_ATTRIBUTES } from '../../src/flows/search-attributes';
import { isAlive } from '../../src/proc';
import type { StandardResult } from '../../src/result/schema';
import { printed } from '../../src/stack/node-child';
import { startProcess, waitUntilReady, type ManagedProcess } from '../../src/stack/processes';
import { workerNames } from '../../src/stack/stack';
import { startTemporalCluster } from '../../src/stack/temporal-cluster';
import { hostsPrerequisiteMissing } from '../../src/stack/hosts/preflight';
import { CLUSTER_ROLES } from '../../src/stack/temporal-cluster-config';
import { findServerBinaries, SERVER_BINARIES, type ServerBinaries } from '../../src/stack/temporal-server-binary';
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
    for (const name of workerNames(2)) {
      const node = process.execPath;
      workers.push(startProcess(name, node, ['--import', 'tsx', 'src/worker.ts'], { env, logDir, cwd: process.cwd() }));
    }
    await Promise.all(workers.map((w) => waitUntilReady(w, w.name, () => printed('worker ready')(w), 180_000)));
  }, 300_000);

  afterAll(async () => {
    await connection?.close();
    for (const p of [...workers, ...serverProcesses.reverse()]) await p.stop();
  });

  test('frontend, history, matching and worker run as processes of their own; stores in PostgreSQL, 4 shards', async () => {
    expect(serverProcesses.map((p) => p.name)).toEqual([...CLUSTER_ROLES.map((r) => `temporal-${r}`), 'temporal-ui']);
    expect(serverProcesses.every((p) => isAlive(p.child.pid!))).toBe(true);
    const info = await connection.workflowService.getClusterInfo({});
    expect(info).toMatchObject({
      persistenceStore: 'postgres12',
      visibilityStore: 'postgres12',
      serverVersion: '1.29.1',
    });
    expect(info.historyShardCount).toBe(4);
    // Registered through the operator API on start, as on any existing cluster.
    const listed = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
    for (const a of SEARCH_ATTRIBUTES) expect(listed.customAttributes?.[a.name]).toBeDefined();
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
});

/** The workflow ids the Web UI server lists for a run, polled until visibility has caught up with all of them. */
async function listedByUi(runId: string, expected: number): Promise<string[]> {
  const query = encodeURIComponent(`StressRunId="${runId}"`);
  const url = `${cluster.uiUrl}/api/v1/namespaces/default/workflows?query=${query}&pageSize=100`;
  let ids: string[] = [];
  await waitUntilReady(
    undefined,
    `the Web UI listing ${expected} workflows of ${runId}`,
    async () => {
      const res = await request(url);
      const body = (await res.body.json()) as { executions?: Array<{ execution: { workflowId: string } }> };
      if (res.statusCode !== 200) throw new Error(`${url}: HTTP ${res.statusCode} ${JSON.stringify(body)}`);
      ids = (body.executions ?? []).map((e) => e.execution.workflowId);
      return ids.length >= expected;
    },
    30_000,
  );
  return ids;
}

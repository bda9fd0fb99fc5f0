import { Client, Connection } from '@temporalio/client';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Pool } from 'pg';
import { request } from 'undici';
import { awaitStressRun, startStressRun } from '../../src/cli/run-stress';
import { SEARCH_ATTRIBUTES } from '../../src/flows/search-attributes';
import { cmdlineOf, isAlive } from '../../src/proc';
import type { StandardResult } from '../../src/result/schema';
import { SERVICE_NAMES, serviceUrlEnvName } from '../../src/services/catalog';
import { hostsPrerequisiteMissing } from '../../src/stack/hosts/preflight';
import { waitUntilReady } from '../../src/stack/processes';
import { readStackFileContent, type ChildStatus, type StackFile } from '../../src/stack/stack-file';
import { startStack, type RunningStack } from '../../src/stack/stack';
import { CLUSTER_ROLES } from '../../src/stack/temporal-cluster-config';
import { findServerBinaries, SERVER_BINARIES, type ServerBinaries } from '../../src/stack/temporal-server-binary';
import { TEST_BUNDLE_FILE, TEST_DATA_DIR, TEST_PORT_OFFSET } from '../support/paths';
import { childWorkflowId, expectRowsOncePerFlow, firstFailure, runOptions, waitForCompleted } from '../support/runs';
import { expectChangesSettled, expectExecutorInvariants } from '../support/safe-executor';

/**
 * `--temporal cluster --hosts` with two workers: every part in a network namespace of its own on one bridge, found
 * only through the compose file's variables. This is also the CI's one official cluster: the assertions of
 * temporal-cluster.test.ts (roles as processes, stores in PostgreSQL, search attributes, a worker killed mid-run,
 * the UI server listing the flows) run here on the hosts stack, and that file runs only where this one cannot.
 */
const binaries = findServerBinaries();
const missingBinaries = (Object.keys(SERVER_BINARIES) as Array<keyof ServerBinaries>).filter((k) => !binaries[k]);
const why = missingBinaries.length
  ? `the pinned Temporal server binaries (${missingBinaries.join(', ')}) are not built: run 'npm run setup'`
  : hostsPrerequisiteMissing();
if (why && process.env.CI === 'true') {
  test('the hosts stack can run here (CI runs as root, with ip and the cluster binaries)', () => {
    throw new Error(why);
  });
} else if (why) {
  console.warn(`hosts tests skipped (temporal-cluster.test.ts covers the cluster on loopback): ${why}`);
}
const describeHosts = why ? describe.skip : describe;

/** Its own ports and subnet (10.77.103.0/24) beside the shared test stack and the loopback cluster test's. */
const OFFSET = TEST_PORT_OFFSET + 300;
const dataDir = path.join(TEST_DATA_DIR, 'hosts');
const FLOWS = 20;

let stack: RunningStack;
let stopped = false;
let connection: Connection;
let client: Client;
let pool: Pool;

const stackFile = (): StackFile => {
  const content = readStackFileContent(stack.stackFile);
  if (!content) throw new Error(`no stack.json at ${stack.stackFile}`);
  return content;
};
const processOf = (name: string): ChildStatus => {
  const found = stackFile().processes.find((p) => p.name === name);
  if (!found) throw new Error(`no process ${name} in ${stack.stackFile}`);
  return found;
};
const netnsOf = (pid: number) => execFileSync('ip', ['netns', 'identify', String(pid)], { encoding: 'utf8' }).trim();
/** Whether a TCP connection from inside namespace `netns` to host:port is accepted. */
const connectsFrom = (netns: string, host: string, port: number) => {
  try {
    execFileSync('ip', ['netns', 'exec', netns, 'bash', '-c', `exec 3<>/dev/tcp/${host}/${port}`], {
      stdio: 'ignore',
      timeout: 5000,
    });
    return true;
  } catch {
    return false;
  }
};

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 180_000): Promise<void> {
  await waitUntilReady(undefined, what, async () => check(), timeoutMs);
}

/** SIGKILLs a supervised part by its stack.json pid and waits until the supervisor has it running again. */
async function killAndAwaitRestart(name: string): Promise<void> {
  const before = processOf(name);
  process.kill(before.pid!, 'SIGKILL');
  await until(`${name} restarted`, () => {
    const now = processOf(name);
    return now.state === 'running' && now.restarts === before.restarts + 1;
  });
  const after = processOf(name);
  expect({ name, netns: netnsOf(after.pid!), cmdline: cmdlineOf(after.pid!) }).toEqual({
    name,
    netns: stackFile().hosts![name].netns,
    cmdline: after.cmdline,
  });
}

/** What the two runs are in while the stack is disturbed. */
interface DuringRun {
  runIds: string[];
}

/**
 * What happens to the stack while creative-flow and budget-optimization run, in order, once flows have completed.
 * Chaos on hosts (kill the history role, partition worker-1 from the frontend) adds its steps here.
 */
const DURING_RUN: Array<{ what: string; act: (run: DuringRun) => Promise<void> }> = [
  {
    what: 'worker-2 SIGKILLed: its supervisor restarts it in its namespace',
    act: () => killAndAwaitRestart('worker-2'),
  },
];

describeHosts('--temporal cluster --hosts: every part on a host of its own', () => {
  beforeAll(async () => {
    fs.rmSync(dataDir, { recursive: true, force: true });
    // The workers (and their restarts) load the bundle jest's globalSetup built instead of bundling again.
    process.env.WORKFLOW_BUNDLE = fs.readFileSync(TEST_BUNDLE_FILE, 'utf8');
    stack = await startStack({
      dataDir,
      portOffset: OFFSET,
      temporalServer: 'cluster',
      hosts: true,
      worker: true,
      workers: 2,
      log: (line) => process.stderr.write(`[hosts] ${line}\n`),
    });
    connection = await Connection.connect({ address: stack.endpoints.temporalAddress });
    client = new Client({ connection, namespace: stack.endpoints.namespace });
    pool = new Pool({ connectionString: stack.endpoints.databaseUrl, max: 3 });
    // An idle client whose server stops (the last test stops the stack) must not fail the file.
    pool.on('error', () => undefined);
  }, 400_000);

  afterAll(async () => {
    delete process.env.WORKFLOW_BUNDLE;
    await pool?.end();
    await connection?.close();
    if (!stopped) await stack?.stop();
  });

  test('each part runs in the namespace stack.json names, at its address; the pid recorded is the program', () => {
    const { hosts, processes } = stackFile();
    expect(Object.keys(hosts ?? {}).sort()).toEqual(processes.map((p) => p.name).sort());
    for (const p of processes) {
      expect({ name: p.name, netns: netnsOf(p.pid!) }).toEqual({ name: p.name, netns: hosts![p.name].netns });
      // `ip netns exec` execs: the pid runs the program itself, not `ip`, and the command line recorded (chaos's
      // check against a reused pid) is the program's.
      expect(cmdlineOf(p.pid!).split('\0')[0]).not.toBe('ip');
      expect({ name: p.name, cmdline: p.cmdline }).toEqual({ name: p.name, cmdline: cmdlineOf(p.pid!) });
    }
    expect(new Set(Object.values(hosts!).map((h) => h.ip)).size).toBe(processes.length);
    expect(stack.endpoints.temporalAddress).toBe(`${hosts!['temporal-frontend'].ip}:${7233 + OFFSET}`);
  });

  test('parts are configured only through the compose variables, each naming another host, never loopback', () => {
    const { hosts } = stackFile();
    const composeVars = ['TEMPORAL_ADDRESS', 'DATABASE_URL', ...SERVICE_NAMES.map(serviceUrlEnvName)];
    for (const name of ['worker-1', 'executor-1', 'gateway']) {
      const environ = fs.readFileSync(`/proc/${processOf(name).pid}/environ`, 'utf8').split('\0');
      const env = Object.fromEntries(
        environ.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
      );
      for (const v of composeVars)
        expect({ name, v, value: env[v] }).toEqual({ name, v, value: expect.stringMatching(/10\.77\./) });
      expect(env.METRICS_HOST).toBe(hosts![name].ip);
    }
    // A part that reached for 127.0.0.1 would find nothing: loopback in its namespace holds only itself.
    const port = 7233 + OFFSET;
    expect(connectsFrom(hosts!['worker-1'].netns, '127.0.0.1', port)).toBe(false);
    expect(connectsFrom(hosts!['worker-1'].netns, hosts!['temporal-frontend'].ip, port)).toBe(true);
  });

  test('frontend, history, matching and worker run as processes of their own; stores in PostgreSQL, 4 shards', async () => {
    const names = stackFile().processes.map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining([...CLUSTER_ROLES.map((r) => `temporal-${r}`), 'temporal-ui']));
    expect(names.every((n) => isAlive(processOf(n).pid!))).toBe(true);
    const info = await connection.workflowService.getClusterInfo({});
    expect(info).toMatchObject({
      persistenceStore: 'postgres12',
      visibilityStore: 'postgres12',
      serverVersion: '1.29.1',
    });
    expect(info.historyShardCount).toBe(4);
    const listed = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
    for (const a of SEARCH_ATTRIBUTES) expect(listed.customAttributes?.[a.name]).toBeDefined();
  });

  test('creative-flow and budget-optimization at once, disturbed mid-run: every flow completes once', async () => {
    const creative = runOptions({ flow: 'creative-flow', count: FLOWS, concurrency: 5 });
    const budget = runOptions({ flow: 'budget-optimization', count: FLOWS, concurrency: 5, timeScale: 0.001 });
    const handles = await Promise.all([startStressRun(client, creative), startStressRun(client, budget)]);
    // Disturbed once flows have really completed on the cluster, while most are still to run.
    await waitForCompleted(client, handles[0].workflowId, 3, 180_000);
    for (const step of DURING_RUN) await step.act({ runIds: handles.map((h) => h.workflowId) });
    const results: StandardResult[] = await Promise.all(handles.map((h) => awaitStressRun(client, h.workflowId)));

    for (const result of results) {
      expect({ flow: result.flow, failed: result.failed, first: await firstFailure(client, result) }).toEqual({
        flow: result.flow,
        failed: 0,
        first: null,
      });
      expect({ flow: result.flow, successful: result.successful, total: result.total_operations }).toEqual({
        flow: result.flow,
        successful: FLOWS,
        total: FLOWS,
      });
    }
    const [creativeResult, budgetResult] = results;
    // None lost or counted twice: each flow's rows once; every queued change settled under the SafeExecutor's rules.
    await expectRowsOncePerFlow(pool, creativeResult);
    await expectChangesSettled(pool, creativeResult.run_id);
    await expectChangesSettled(pool, budgetResult.run_id);
    const queued = await pool.query(`SELECT count(*)::int AS n FROM pending_ad_changes WHERE idempotency_key LIKE $1`, [
      `${budgetResult.run_id}-%`,
    ]);
    expect(queued.rows[0].n).toBe(budgetResult.step_analysis.safe_executor_queue?.executions ?? 0);
    await expectExecutorInvariants(pool, `${budgetResult.run_id}-`, 0.001);

    // The official UI server, on its own host, lists every flow of both runs (and their parents) from visibility.
    for (const result of results) {
      const wanted = [result.run_id, ...Array.from({ length: FLOWS }, (_, i) => childWorkflowId(result.run_id, i))];
      const listed = await listedByUi(result.run_id, wanted.length);
      expect(listed.sort()).toEqual(wanted.sort());
    }
  }, 600_000);

  test('stopping removes every namespace, veth and the bridge the stack made', async () => {
    const { hosts } = stackFile();
    const netns = Object.values(hosts!).map((h) => h.netns);
    stopped = true;
    await stack.stop();
    const left = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
    expect(netns.filter((n) => left.split('\n').some((l) => l.split(' ')[0] === n))).toEqual([]);
    const links = execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' });
    expect(links.split('\n').filter((l) => / gv103-/.test(l))).toEqual([]);
  }, 120_000);
});

/** The workflow ids the Web UI server lists for a run, polled until visibility has caught up with all of them. */
async function listedByUi(runId: string, expected: number): Promise<string[]> {
  const query = encodeURIComponent(`StressRunId="${runId}"`);
  const url = `${stack.endpoints.temporalUiUrl}/api/v1/namespaces/default/workflows?query=${query}&pageSize=100`;
  let ids: string[] = [];
  await until(
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

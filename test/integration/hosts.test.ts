import { Client, Connection } from '@temporalio/client';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Pool } from 'pg';
import { parseChaos } from '../../src/cli/chaos-options';
import { awaitStressRun, startStressRun } from '../../src/cli/run-stress';
import { cmdlineOf, isAlive } from '../../src/proc';
import type { ChaosSection, StandardResult } from '../../src/result/schema';
import { plannedStarts } from '../../src/load/arrivals';
import type { LoadShape } from '../../src/load/shape';
import { SERVICE_NAMES, serviceUrlEnvName } from '../../src/services/catalog';
import { startChaos, type ChaosRun } from '../../src/stack/chaos';
import { leftovers } from '../../src/stack/netfault/rules';
import { hostsPrerequisiteMissing } from '../../src/stack/hosts/preflight';
import { waitUntilReady } from '../../src/stack/processes';
import { readStackFileContent, type ChildStatus, type StackFile } from '../../src/stack/stack-file';
import { startStack, type RunningStack } from '../../src/stack/stack';
import { CLUSTER_ROLES } from '../../src/stack/temporal-cluster-config';
import { findServerBinaries, SERVER_BINARIES, type ServerBinaries } from '../../src/stack/temporal-server-binary';
import { planHostNetwork } from '../../src/stack/hosts/host-plan';
import {
  expectOfficialServer,
  expectRolesReportOwnLatency,
  listedByUiAt,
  promQueryAt,
} from '../support/cluster-checks';
import { TEST_BUNDLE_FILE, TEST_DATA_DIR, TEST_PORT_OFFSET } from '../support/paths';
import { childWorkflowId, expectRowsOncePerFlow, firstFailure, runOptions, waitForCompleted } from '../support/runs';
import { expectChangesSettled, expectExecutorInvariants } from '../support/safe-executor';

/**
 * `--temporal cluster --hosts` with two workers: every part in a network namespace of its own on one bridge, found
 * only through the compose file's variables. This is also the CI's one official cluster: the assertions of
 * temporal-cluster.test.ts (roles as processes, stores in PostgreSQL, search attributes, a worker killed mid-run,
 * the UI server listing the flows, Prometheus scraping every role and worker) run here on the hosts stack, and that
 * file runs only where this one cannot. The stack runs its Prometheus; chaos kills worker-2 and the history role and
 * partitions worker-1 from the frontend while two runs go on, and its heal times are written to HEAL_LOG.
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
/** Each run offers its flows at a steady rate for this long, so the disturbances below fall inside it. */
const RUN_SECONDS = 50;
const openAt = (rate: number): Extract<LoadShape, { model: 'open' }> => ({
  model: 'open',
  start_rate: rate,
  stages: [{ duration_ms: RUN_SECONDS * 1000, target_rate: rate }],
  // Room for every flow the partition holds up: none is dropped, so every flow offered must complete.
  max_in_flight: 200,
});

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

/**
 * What happens to the stack while creative-flow and budget-optimization run, once flows have completed, as one
 * chaos plan (offsets from its start): worker-2 killed, the history role killed (the supervisor restarts it
 * alone), and worker-1 cut off from the frontend for 20 s.
 */
const DURING_RUN = [
  'kill=worker-2 at=0s',
  'kill=temporal-history at=8s',
  'partition=worker-1,temporal-frontend at=16s for=20s',
];
const PARTITION_MS = 20_000;

/** The chaos run, so afterAll removes its fault should a test fail while it is in force. */
let chaos: ChaosRun | undefined;
/** This run's chaos section (heal times) for docs/benchmarks.md's table; the global setup clears it each run. */
const HEAL_LOG = path.join(TEST_DATA_DIR, 'hosts-chaos.jsonl');

/** The chaos section once every kill serves again and the partition has ended and healed (or timed out). */
async function chaosDone(latest: () => ChaosSection | undefined): Promise<ChaosSection> {
  const done = (s: ChaosSection | undefined) =>
    s !== undefined &&
    s.kills.length === 2 &&
    s.kills.every((k) => k.healthy_after_ms !== null) &&
    (s.faults ?? []).length === 1 &&
    s.faults!.every((f) => f.healed_after_ms !== null && f.healed_after_ms !== undefined);
  await until('every kill back and the partition healed', () => done(latest()), 240_000);
  return latest()!;
}

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
      monitoring: true,
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
    await chaos?.stop();
    await pool?.end();
    await connection?.close();
    if (!stopped) await stack?.stop();
  });

  test('each part runs in the namespace stack.json names, at its address; the pid recorded is the program', () => {
    const { hosts, processes: all } = stackFile();
    // Prometheus runs in the root namespace, as the stack does, and reaches every host over the bridge.
    const prometheus = all.find((p) => p.name === 'prometheus');
    expect(prometheus && netnsOf(prometheus.pid!)).toBe('');
    const processes = all.filter((p) => p !== prometheus);
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
    await expectOfficialServer(connection);
  });

  test('creative-flow and budget-optimization at once, disturbed mid-run: every flow completes once', async () => {
    const runs = [
      { flow: 'creative-flow' as const, load: openAt(1) },
      { flow: 'budget-optimization' as const, load: openAt(0.5), timeScale: 0.001 },
    ].map((r) => runOptions({ ...r, count: plannedStarts(r.load), concurrency: r.load.max_in_flight }));
    const handles = await Promise.all(runs.map((r) => startStressRun(client, r)));
    // Disturbed once flows have really completed on the cluster, while most are still to be offered.
    await waitForCompleted(client, handles[0].workflowId, 3, 180_000);
    const section = await disturb(handles.map((h) => h.workflowId));
    const results: StandardResult[] = await Promise.all(handles.map((h) => awaitStressRun(client, h.workflowId)));

    for (const [i, result] of results.entries()) {
      expect({ flow: result.flow, failed: result.failed, first: await firstFailure(client, result) }).toEqual({
        flow: result.flow,
        failed: 0,
        first: null,
      });
      expect({ flow: result.flow, successful: result.successful, dropped: result.load?.dropped }).toEqual({
        flow: result.flow,
        successful: runs[i].count,
        dropped: 0,
      });
      expect(result.total_operations).toBe(runs[i].count);
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
      const flows = Array.from({ length: result.total_operations }, (_, i) => childWorkflowId(result.run_id, i));
      const wanted = [result.run_id, ...flows];
      const listed = await listedByUi(result.run_id, wanted.length);
      expect(listed.sort()).toEqual(wanted.sort());
    }
    fs.writeFileSync(HEAL_LOG, JSON.stringify({ at: new Date().toISOString(), ...section }) + '\n');
  }, 600_000);

  test('Prometheus has scraped every role, worker, service and executor at its own host', async () => {
    const { hosts } = stackFile();
    const roles = CLUSTER_ROLES.map((r) => `temporal-${r}`);
    const parts = [...roles, 'worker-1', 'worker-2', ...SERVICE_NAMES, 'executor-1', 'executor-2'];
    // Every target answered a scrape (worker-2 and the history role were killed since: earlier scrapes count).
    const want = Object.fromEntries(parts.map((p) => [p, 1]));
    let up: Record<string, number> = {};
    await until('a scrape of every part', async () => {
      const rows = await promQuery('max by (process) (max_over_time(up[30m]))');
      up = Object.fromEntries(rows.map((r) => [r.metric.process, Number(r.value[1])]));
      return parts.every((p) => up[p] === 1);
    });
    expect(Object.fromEntries(parts.map((p) => [p, up[p]]))).toEqual(want);
    // Scraped at each part's own address on the bridge, never at loopback (which in a namespace is its own).
    const instances = await promQuery('max by (process, instance) (max_over_time(up[30m]))');
    for (const p of parts) {
      const at = instances.filter((r) => r.metric.process === p).map((r) => r.metric.instance.split(':')[0]);
      expect({ p, at }).toEqual({ p, at: [hosts![p].ip] });
    }
    await expectRolesReportOwnLatency(stack.prometheusUrl!);
  }, 120_000);

  test('stopping removes every namespace, veth and the bridge the stack made', async () => {
    const { hosts } = stackFile();
    const netns = Object.values(hosts!).map((h) => h.netns);
    stopped = true;
    await stack.stop();
    const left = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
    expect(netns.filter((n) => left.split('\n').some((l) => l.split(' ')[0] === n))).toEqual([]);
    const links = execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' });
    // The prefix follows the port offset (GV_TEST_PORT_OFFSET moves it), so another stack's links are not counted.
    const { prefix } = planHostNetwork(OFFSET, []);
    expect(links.split('\n').filter((l) => l.includes(` ${prefix}`))).toEqual([]);
  }, 120_000);
});

/**
 * Runs DURING_RUN through the chaos module while the runs go on, and checks what it recorded: each kill's exact
 * process back under a new pid in its own namespace, the history role restarted alone, the partition's start and
 * end, every rule it made gone, and the runs still going when it ended. Returns the chaos section.
 */
async function disturb(runIds: string[]): Promise<ChaosSection> {
  const pidsBefore = new Map(stack.processes().map((p) => [p.name, p.pid]));
  let latest: ChaosSection | undefined;
  const plan = parseChaos(DURING_RUN.join('; '));
  chaos = startChaos({
    plan,
    seed: 7,
    processes: () => stack.processes(),
    hosts: () => stackFile().hosts,
    temporalAddress: stack.endpoints.temporalAddress,
    say: (line) => process.stderr.write(`[hosts] ${line}\n`),
    onChange: (s) => (latest = s),
  });
  await until('the partition removed', () => latest?.faults?.[0]?.end_offset_seconds != null, 180_000);
  // The disturbances fell inside the runs: both still running when the partition ended.
  const states = await Promise.all(
    runIds.map(async (id) => (await client.workflow.getHandle(id).describe()).status.name),
  );
  expect(states).toEqual(runIds.map(() => 'RUNNING'));
  await chaosDone(() => latest);
  const section = await chaos.stop();
  chaos = undefined;
  process.stderr.write(`[hosts] chaos section: ${JSON.stringify(section)}\n`);

  expect(section.kills.map((k) => ({ target: k.target, pid: k.pid }))).toEqual(
    ['worker-2', 'temporal-history'].map((target) => ({ target, pid: pidsBefore.get(target) })),
  );
  for (const k of section.kills) {
    expect({ target: k.target, healthy: typeof k.healthy_after_ms }).toEqual({ target: k.target, healthy: 'number' });
    const now = processOf(k.target);
    expect({ target: k.target, restarts: now.restarts, netns: netnsOf(now.pid!) }).toEqual({
      target: k.target,
      restarts: 1,
      netns: stackFile().hosts![k.target].netns,
    });
  }
  // The supervisor restarted the history role alone: every other role (and the UI server) kept its process.
  for (const name of [...CLUSTER_ROLES.map((r) => `temporal-${r}`), 'temporal-ui'].filter(
    (n) => n !== 'temporal-history',
  ))
    expect({ name, pid: processOf(name).pid, restarts: processOf(name).restarts }).toEqual({
      name,
      pid: pidsBefore.get(name),
      restarts: 0,
    });
  const [fault] = section.faults!;
  expect(fault).toMatchObject({ kind: 'partition', a: 'worker-1', b: 'temporal-frontend' });
  expect(fault.end_offset_seconds! - fault.offset_seconds).toBeGreaterThanOrEqual(PARTITION_MS / 1000 - 0.2);
  expect(typeof fault.healed_after_ms).toBe('number');
  // Everything the partition put in place is gone from every namespace.
  for (const h of Object.values(stackFile().hosts!))
    expect({ netns: h.netns, left: await leftovers(h.netns) }).toEqual({
      netns: h.netns,
      left: [],
    });
  return section;
}

/** An instant query to the stack's Prometheus. */
const promQuery = (promql: string) => promQueryAt(stack.prometheusUrl!, promql);

/** The workflow ids the Web UI server lists for a run, polled until visibility has caught up with all of them. */
const listedByUi = (runId: string, expected: number) => listedByUiAt(stack.endpoints.temporalUiUrl!, runId, expected);

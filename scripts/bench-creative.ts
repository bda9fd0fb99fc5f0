import { createHttpAgent } from '../src/activities/http';
import { plainCreativeFlow } from '../src/bench/plain-creative';
import { makeRunId, awaitStressRun, simSettings, startStressRun } from '../src/cli/run-stress';
import { connectOrStartStack } from '../src/cli/stack-session';
import type { StartOptions } from '../src/cli/start-options';
import { FLOWS } from '../src/flows/catalog';
import type { StandardResult } from '../src/result/schema';
import { BUILT_IN_PROFILES, type FaultProfile, type ServiceFaults } from '../src/services/shared/fault-profile';
import { emptyHistogram, quantile, record, type HistogramState } from '../src/stats/histogram';
import type { Client } from '@temporalio/client';
import { connectClient } from '../src/temporal-connection';
import type { Endpoints } from '../src/config';
import { cpuMsPer, cpuSeconds, type CpuRoot } from '../src/bench/cpu';
import type { RunningStack } from '../src/stack/stack';
import { stackFilePath } from '../src/stack/stack';
import { readStackFileContent } from '../src/stack/stack-file';

/**
 * `npm run bench`: the creative flow through Temporal and through a plain in-process runner making the same
 * HTTP calls, side by side in one session, in three cases:
 * - unloaded: no latency, one flow at a time: what Temporal adds to each step;
 * - realistic: the default profile's latencies without its errors, time scale 0.05, 100 flows at 10;
 * - saturated: no latency, 200 flows at 20: throughput when orchestration is the bottleneck.
 * Prints a table per case on stderr and one JSON object on stdout (keys documented in docs/benchmarks.md).
 * BENCH_SCALE (default 1) multiplies every case's flow count, for a quick look.
 */
const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const STEPS = FLOWS['creative-flow'].steps;
const say = (line: string) => process.stderr.write(`${line}\n`);
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/** A profile's latencies with its errors, timeouts and 429s taken out. */
function latenciesOnly(profile: FaultProfile): FaultProfile {
  const quiet = (f: ServiceFaults): ServiceFaults => ({ ...f, error_rate: 0, timeout_rate: 0, rate_limit_rate: 0 });
  return {
    name: `${profile.name}-latencies`,
    defaults: quiet(profile.defaults),
    services: Object.fromEntries(Object.entries(profile.services).map(([n, f]) => [n, f && quiet(f)])),
  };
}

interface Case {
  name: string;
  count: number;
  concurrency: number;
  timeScale: number;
  faults: FaultProfile;
}

const CASES: Case[] = [
  { name: 'unloaded', count: Math.ceil(30 * SCALE), concurrency: 1, timeScale: 0.001, faults: BUILT_IN_PROFILES.none },
  {
    name: 'realistic',
    count: Math.ceil(100 * SCALE),
    concurrency: 10,
    timeScale: 0.05,
    faults: latenciesOnly(BUILT_IN_PROFILES.default),
  },
  {
    name: 'saturated',
    count: Math.ceil(200 * SCALE),
    concurrency: 20,
    timeScale: 0.001,
    faults: BUILT_IN_PROFILES.none,
  },
];

/** Where the CPU goes: each part of the stack (with its child processes) and this process, by group. */
function cpuRoots(stack: RunningStack | undefined): CpuRoot[] {
  const processes = stack?.processes() ?? readStackFileContent(stackFilePath())?.processes ?? [];
  const group = (name: string) =>
    name.startsWith('executor') ? 'executors' : ['temporal', 'postgres', 'worker'].includes(name) ? name : 'services';
  return [
    ...processes.flatMap((p) => (p.pid ? [{ name: group(p.name), pid: p.pid, tree: true }] : [])),
    { name: 'bench_client', pid: process.pid, tree: false },
  ];
}

/** One flow's history: its events, and the workflow tasks, activity tasks and markers among them. */
async function historyOfOneFlow(client: Client, runId: string) {
  for await (const wf of client.workflow.list({
    query: `StressRunId = '${runId}' AND WorkflowType = 'creativeFlow'`,
  })) {
    const events = (await client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory()).events ?? [];
    return {
      events: events.length,
      workflow_tasks: events.filter((e) => e.workflowTaskCompletedEventAttributes).length,
      activity_tasks: events.filter((e) => e.activityTaskScheduledEventAttributes).length,
      markers: events.filter((e) => e.markerRecordedEventAttributes).length,
    };
  }
  return undefined;
}

interface CaseResult {
  temporal: StandardResult;
  temporalRate: number;
  /** The same case with the quick steps as local activities (`--local-activities`). */
  local: StandardResult;
  localRate: number;
  plainRate: number;
  /** Per step: the plain runner's p50 of the same call. */
  plainP50: Record<string, number>;
  /** CPU milliseconds per flow, by part of the stack: through Temporal, with local activities, plain. */
  cpu: Record<'temporal' | 'local' | 'plain', Record<string, number>>;
  history: Record<'temporal' | 'local', Awaited<ReturnType<typeof historyOfOneFlow>>>;
}

function options(c: Case, localActivities = false): StartOptions {
  return {
    ...(localActivities ? { localActivities } : {}),
    flow: 'creative-flow',
    count: c.count,
    concurrency: c.concurrency,
    timeScale: c.timeScale,
    seed: 1,
    faultsName: c.faults.name,
    faults: c.faults,
    thresholds: [],
  };
}

async function runCase(
  client: Client,
  endpoints: Endpoints,
  agent: ReturnType<typeof createHttpAgent>,
  c: Case,
  roots: CpuRoot[],
) {
  const opts = options(c);
  say(`${c.name}: ${c.count} creative flows at concurrency ${c.concurrency} through Temporal`);
  let cpu0 = cpuSeconds(roots);
  let t0 = performance.now();
  const temporal = await awaitStressRun(client, (await startStressRun(client, opts)).workflowId);
  const temporalSeconds = (performance.now() - t0) / 1000;
  const temporalCpu = cpuMsPer(cpu0, cpuSeconds(roots), c.count);

  say(`${c.name}: the same through Temporal, quick steps as local activities`);
  cpu0 = cpuSeconds(roots);
  t0 = performance.now();
  const local = await awaitStressRun(client, (await startStressRun(client, options(c, true))).workflowId);
  const localSeconds = (performance.now() - t0) / 1000;
  const localCpu = cpuMsPer(cpu0, cpuSeconds(roots), c.count);

  say(`${c.name}: the same calls from one process`);
  const sim = simSettings(opts);
  const runId = makeRunId('plain');
  const steps = new Map<string, HistogramState>(STEPS.map((s) => [s, emptyHistogram()]));
  let next = 0;
  cpu0 = cpuSeconds(roots);
  t0 = performance.now();
  await Promise.all(
    Array.from({ length: c.concurrency }, async () => {
      while (next < c.count)
        await plainCreativeFlow({ services: endpoints.services, agent }, sim, runId, next++, 1, (step, ms) =>
          record(steps.get(step)!, ms),
        );
    }),
  );
  const plainSeconds = (performance.now() - t0) / 1000;
  const plainCpu = cpuMsPer(cpu0, cpuSeconds(roots), c.count);
  const result: CaseResult = {
    temporal,
    temporalRate: c.count / temporalSeconds,
    local,
    localRate: c.count / localSeconds,
    plainRate: c.count / plainSeconds,
    plainP50: Object.fromEntries(STEPS.map((s) => [s, quantile(steps.get(s)!, 0.5)])),
    cpu: { temporal: temporalCpu, local: localCpu, plain: plainCpu },
    history: {
      temporal: await historyOfOneFlow(client, temporal.run_id),
      local: await historyOfOneFlow(client, local.run_id),
    },
  };
  say(`${c.name}: CPU ms per flow ${JSON.stringify(result.cpu)}; one flow's history ${JSON.stringify(result.history)}`);
  say(
    `${c.name}: temporal ${round(result.temporalRate)} flows/s, with local activities ${round(result.localRate)}, ` +
      `plain ${round(result.plainRate)} flows/s, ${temporal.failed + local.failed} failed`,
  );
  console.error(
    STEPS.map((step) => {
      const s = temporal.step_analysis[step];
      return {
        step,
        temporal_p50_ms: s?.p50_duration_ms,
        service_p50_ms: s?.service_p50_ms,
        overhead_p50_ms: s?.overhead_p50_ms,
        overhead_p95_ms: s?.overhead_p95_ms,
        local_p50_ms: local.step_analysis[step]?.p50_duration_ms,
        plain_p50_ms: round(result.plainP50[step], 1),
      };
    }),
  );
  return result;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const { endpoints, stack } = await connectOrStartStack(say);
  const client = await connectClient(endpoints);
  const agent = createHttpAgent();
  try {
    // Warm-up: connections, worker caches, the database's buffers.
    const warm = { ...CASES[2], count: 20, name: 'warm-up' };
    await awaitStressRun(client, (await startStressRun(client, options(warm))).workflowId);

    const results: CaseResult[] = [];
    const roots = cpuRoots(stack);
    for (const c of CASES) results.push(await runCase(client, endpoints, agent, c, roots));
    const [u, r, s] = results;
    const overheads = (run: StandardResult) =>
      STEPS.map((step) => (run.step_analysis[step]?.p50_duration_ms ?? 0) - u.plainP50[step]);
    const serviceErrors = (run: StandardResult) =>
      STEPS.map((step) => {
        const plain = r.plainP50[step];
        const measured = run.step_analysis[step]?.service_p50_ms ?? 0;
        return Math.abs(measured - plain) / plain;
      });
    const summary = {
      tuning: process.env.GV_DEV_SERVER_TUNING === 'off' ? 'off' : 'on',
      unloaded_step_overhead_ms: round(median(overheads(u.temporal)), 1),
      realistic_ratio: round(r.temporalRate / r.plainRate, 3),
      realistic_temporal_flows_per_second: round(r.temporalRate),
      realistic_plain_flows_per_second: round(r.plainRate),
      saturated_flows_per_second: round(s.temporalRate),
      saturated_plain_flows_per_second: round(s.plainRate),
      saturated_ratio: round(s.temporalRate / s.plainRate, 3),
      service_time_error_pct: round(100 * Math.max(...serviceErrors(r.temporal)), 1),
      realistic_overhead_p50_ms: r.temporal.overhead_p50_ms,
      realistic_overhead_p95_ms: r.temporal.overhead_p95_ms,
      failed: results.reduce((n, x) => n + x.temporal.failed, 0),
      // The quick steps as local activities (`--local-activities`), against the same plain runs.
      local_unloaded_step_overhead_ms: round(median(overheads(u.local)), 1),
      local_realistic_ratio: round(r.localRate / r.plainRate, 3),
      local_saturated_flows_per_second: round(s.localRate),
      local_saturated_ratio: round(s.localRate / s.plainRate, 3),
      local_service_time_error_pct: round(100 * Math.max(...serviceErrors(r.local)), 1),
      local_failed: results.reduce((n, x) => n + x.local.failed, 0),
      // Where the CPU went, per flow, saturated: each part of the stack with its child processes.
      saturated_cpu_ms_per_flow: s.cpu,
      saturated_history_per_flow: s.history,
    };
    console.log(JSON.stringify(summary, null, 2));
  } finally {
    await client.connection.close();
    await agent.close();
    await stack?.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

import { createHttpAgent } from '../src/activities/http';
import { plainCreativeFlow } from '../src/bench/plain-creative';
import { makeRunId, awaitStressRun, simSettings, startStressRun } from '../src/cli/run-stress';
import type { StartOptions } from '../src/cli/start-options';
import { FLOWS } from '../src/flows/catalog';
import type { StandardResult } from '../src/result/schema';
import { BUILT_IN_PROFILES, type FaultProfile, type ServiceFaults } from '../src/contracts/fault-profile';
import { emptyHistogram, mean, quantile, record, type HistogramState } from '../src/stats/histogram';
import { readServiceTimes, stepServiceMeans } from '../src/bench/service-side';
import type { Client } from '@temporalio/client';
import type { Endpoints } from '../src/config';
import { cpuMsPer, cpuSeconds, type CpuRoot } from '../src/bench/cpu';
import type { RunningStack } from '../src/stack/stack';
import { stackFilePath } from '../src/stack/stack';
import { readStackFileContent } from '../src/stack/stack-file';

/** The creative-flow benchmark's cases and how one runs, shared by `npm run bench` and `npm run bench:cluster`. */
export const SCALE = Number(process.env.BENCH_SCALE ?? 1);
export const STEPS = FLOWS['creative-flow'].steps;
export const say = (line: string) => process.stderr.write(`${line}\n`);
export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/** A profile's latencies with its errors, timeouts and 429s taken out. */
export function latenciesOnly(profile: FaultProfile): FaultProfile {
  const quiet = (f: ServiceFaults): ServiceFaults => ({ ...f, error_rate: 0, timeout_rate: 0, rate_limit_rate: 0 });
  return {
    name: `${profile.name}-latencies`,
    defaults: quiet(profile.defaults),
    services: Object.fromEntries(Object.entries(profile.services).map(([n, f]) => [n, f && quiet(f)])),
  };
}

export interface Case {
  name: string;
  count: number;
  concurrency: number;
  timeScale: number;
  faults: FaultProfile;
}

export const CASES: Case[] = [
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
export function cpuRoots(stack: RunningStack | undefined): CpuRoot[] {
  const processes = stack?.processes() ?? readStackFileContent(stackFilePath())?.processes ?? [];
  // The cluster's roles are temporal-frontend, temporal-history, …; `--workers N` names worker-1 … worker-N.
  const group = (name: string) => {
    for (const [prefix, part] of [
      ['executor', 'executors'],
      ['worker', 'worker'],
      ['temporal', 'temporal'],
    ]) {
      if (name.startsWith(prefix)) return part;
    }
    return name === 'postgres' ? name : 'services';
  };
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

type History = Awaited<ReturnType<typeof historyOfOneFlow>>;

export interface CaseResult {
  temporal: StandardResult;
  temporalRate: number;
  plainRate: number;
  /** Per step: the plain runner's p50 of the same call. */
  plainP50: Record<string, number>;
  /** Per step: the plain runner's mean, and the mean the step's service measured itself in each run. */
  plainMean: Record<string, number>;
  serviceSide: { temporal: Record<string, number | undefined>; plain: Record<string, number | undefined> };
  /** With `deep`: the same case with the quick steps as local activities (`--local-activities`). */
  local?: StandardResult;
  localRate?: number;
  /** With `deep`: CPU milliseconds per flow by part of the stack, and one flow's history. */
  cpu?: Record<'temporal' | 'local' | 'plain', Record<string, number>>;
  history?: Record<'temporal' | 'local', History>;
}

export function options(c: Case, localActivities = false): StartOptions {
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

/** One case through Temporal only: its result and flows per second (start to result, from this client). */
export async function runThroughTemporal(client: Client, c: Case, localActivities = false) {
  say(
    `${c.name}: ${c.count} creative flows at concurrency ${c.concurrency} through Temporal` +
      (localActivities ? ', quick steps as local activities' : ''),
  );
  const t0 = performance.now();
  const temporal = await awaitStressRun(client, (await startStressRun(client, options(c, localActivities))).workflowId);
  return { temporal, temporalRate: c.count / ((performance.now() - t0) / 1000) };
}

/** One case through Temporal, then the same calls from the plain runner. */
export async function runCase(
  client: Client,
  endpoints: Endpoints,
  agent: ReturnType<typeof createHttpAgent>,
  c: Case,
  /** Also run the case with local activities, and account for CPU by part of the stack (these roots). */
  deep?: { roots: CpuRoot[] },
) {
  const opts = options(c);
  let cpu0 = deep && cpuSeconds(deep.roots);
  const side0 = await readServiceTimes(endpoints.services);
  const { temporal, temporalRate } = await runThroughTemporal(client, c);
  const side1 = await readServiceTimes(endpoints.services);
  const temporalCpu = deep && cpuMsPer(cpu0!, cpuSeconds(deep.roots), c.count);
  cpu0 = deep && cpuSeconds(deep.roots);
  const local = deep && (await runThroughTemporal(client, c, true));
  const localCpu = deep && cpuMsPer(cpu0!, cpuSeconds(deep.roots), c.count);

  say(`${c.name}: the same calls from one process`);
  const sim = simSettings(opts);
  const runId = makeRunId('plain');
  const steps = new Map<string, HistogramState>(STEPS.map((s) => [s, emptyHistogram()]));
  let next = 0;
  cpu0 = deep && cpuSeconds(deep.roots);
  const side2 = await readServiceTimes(endpoints.services);
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: c.concurrency }, async () => {
      while (next < c.count)
        await plainCreativeFlow({ services: endpoints.services, agent }, sim, runId, next++, opts.seed, (step, ms) =>
          record(steps.get(step)!, ms),
        );
    }),
  );
  const plainSeconds = (performance.now() - t0) / 1000;
  const side3 = await readServiceTimes(endpoints.services);
  const result: CaseResult = {
    temporal,
    temporalRate,
    plainRate: c.count / plainSeconds,
    plainP50: Object.fromEntries(STEPS.map((s) => [s, quantile(steps.get(s)!, 0.5)])),
    plainMean: Object.fromEntries(STEPS.map((s) => [s, mean(steps.get(s)!)])),
    serviceSide: { temporal: stepServiceMeans(side0, side1, STEPS), plain: stepServiceMeans(side2, side3, STEPS) },
  };
  if (deep && local) {
    result.local = local.temporal;
    result.localRate = local.temporalRate;
    result.cpu = { temporal: temporalCpu!, local: localCpu!, plain: cpuMsPer(cpu0!, cpuSeconds(deep.roots), c.count) };
    result.history = {
      temporal: await historyOfOneFlow(client, temporal.run_id),
      local: await historyOfOneFlow(client, local.temporal.run_id),
    };
    say(`${c.name}: with local activities ${round(local.temporalRate)} flows/s, ${local.temporal.failed} failed`);
    say(
      `${c.name}: CPU ms per flow ${JSON.stringify(result.cpu)}; one flow's history ${JSON.stringify(result.history)}`,
    );
  }
  say(
    `${c.name}: temporal ${round(result.temporalRate)} flows/s, plain ${round(result.plainRate)} flows/s, ` +
      `${temporal.failed} failed`,
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
        ...(result.local ? { local_p50_ms: result.local.step_analysis[step]?.p50_duration_ms } : {}),
        plain_p50_ms: round(result.plainP50[step], 1),
        mean_ms: serviceMeans(result, step),
      };
    }),
  );
  return result;
}

/** One step's mean service times, ms: the activities', the plain runner's, and the service's own in each run. */
export function serviceMeans(r: CaseResult, step: string) {
  return {
    activities: r.temporal.step_analysis[step]?.service_avg_ms,
    plain: round(r.plainMean[step], 1),
    service_side_temporal: round(r.serviceSide.temporal[step] ?? NaN, 1),
    service_side_plain: round(r.serviceSide.plain[step] ?? NaN, 1),
  };
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** `unloaded_step_overhead_ms`: the median over the steps of (Temporal step p50 − the plain runner's p50). */
export function stepOverheadMs(u: CaseResult, run: StandardResult = u.temporal): number {
  return round(median(STEPS.map((step) => (run.step_analysis[step]?.p50_duration_ms ?? 0) - u.plainP50[step])), 1);
}

import { awaitStressRun, startStressRun } from '../src/cli/run-stress';
import { connectOrStartStack } from '../src/cli/stack-session';
import { createHttpAgent } from '../src/activities/http';
import { connectClient } from '../src/temporal-connection';
import type { StandardResult } from '../src/result/schema';
import {
  CASES,
  cpuRoots,
  options,
  round,
  runCase,
  say,
  serviceMeans,
  stepOverheadMs,
  STEPS,
  type CaseResult,
} from './bench-cases';

/**
 * `npm run bench`: the creative flow through Temporal and through a plain in-process runner making the same
 * HTTP calls, side by side in one session, in three cases:
 * - unloaded: no latency, one flow at a time: what Temporal adds to each step;
 * - realistic: the default profile's latencies without its errors, time scale 0.05, 100 flows at 10;
 * - saturated: no latency, 200 flows at 20: throughput when orchestration is the bottleneck.
 * Prints a table per case on stderr and one JSON object on stdout (keys documented in docs/benchmarks.md).
 * BENCH_SCALE (default 1) multiplies every case's flow count, for a quick look.
 */
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
    for (const c of CASES) results.push(await runCase(client, endpoints, agent, c, { roots }));
    const [u, r, s] = results;
    const serviceErrors = (run: StandardResult) =>
      STEPS.map((step) => {
        const plain = r.plainP50[step];
        const measured = run.step_analysis[step]?.service_p50_ms ?? 0;
        return Math.abs(measured - plain) / plain;
      });
    const summary = {
      tuning: process.env.GV_DEV_SERVER_TUNING === 'off' ? 'off' : 'on',
      unloaded_step_overhead_ms: stepOverheadMs(u),
      realistic_ratio: round(r.temporalRate / r.plainRate, 3),
      realistic_temporal_flows_per_second: round(r.temporalRate),
      realistic_plain_flows_per_second: round(r.plainRate),
      saturated_flows_per_second: round(s.temporalRate),
      saturated_plain_flows_per_second: round(s.plainRate),
      saturated_ratio: round(s.temporalRate / s.plainRate, 3),
      service_time_error_pct: round(100 * Math.max(...serviceErrors(r.temporal)), 1),
      // Per step, realistic, in ms: the mean service time the activities measured and the plain runner measured,
      // and what the service measured itself in each run (its own request durations).
      realistic_service_means_ms: Object.fromEntries(STEPS.map((step) => [step, serviceMeans(r, step)])),
      realistic_overhead_p50_ms: r.temporal.overhead_p50_ms,
      realistic_overhead_p95_ms: r.temporal.overhead_p95_ms,
      failed: results.reduce((n, x) => n + x.temporal.failed, 0),
      // The quick steps as local activities (`--local-activities`), against the same plain runs.
      local_unloaded_step_overhead_ms: stepOverheadMs(u, u.local),
      local_realistic_ratio: round(r.localRate! / r.plainRate, 3),
      local_saturated_flows_per_second: round(s.localRate!),
      local_saturated_ratio: round(s.localRate! / s.plainRate, 3),
      local_service_time_error_pct: round(100 * Math.max(...serviceErrors(r.local!)), 1),
      local_failed: results.reduce((n, x) => n + (x.local?.failed ?? 0), 0),
      // Where the CPU went, per flow, saturated: each part of the stack with its child processes; one flow's history.
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

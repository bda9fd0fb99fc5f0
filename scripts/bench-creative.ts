import { createHttpAgent } from '../src/activities/http';
import { plainCreativeFlow } from '../src/bench/plain-creative';
import { makeRunId, awaitStressRun, simSettings, startStressRun } from '../src/cli/run-stress';
import { connectOrStartStack } from '../src/cli/stack-session';
import type { StartOptions } from '../src/cli/start-options';
import { FLOWS } from '../src/flows/catalog';
import { BUILT_IN_PROFILES } from '../src/services/shared/fault-profile';
import { emptyHistogram, quantile, record, type HistogramState } from '../src/stats/histogram';
import { connectClient } from '../src/temporal-connection';

/**
 * `npm run bench`: the creative flow through Temporal and through a plain in-process runner making the
 * same HTTP calls, no injected latency or faults, COUNT flows at CONCURRENCY; prints flows/s for both,
 * their ratio, and the p50 orchestration overhead per step.
 */
const COUNT = Number(process.env.BENCH_COUNT ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 20);
// Platform "work" (scene analysis, rendering) shrinks to a few ms: the benchmark measures orchestration.
const TIME_SCALE = 0.001;
const STEPS = FLOWS['creative-flow'].steps;
const say = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  const { endpoints, stack } = await connectOrStartStack(say);
  const client = await connectClient(endpoints);
  const agent = createHttpAgent();
  try {
    const opts: StartOptions = {
      flow: 'creative-flow',
      count: COUNT,
      concurrency: CONCURRENCY,
      timeScale: TIME_SCALE,
      seed: 1,
      faultsName: 'none',
      faults: BUILT_IN_PROFILES.none,
      thresholds: [],
    };
    // Warm-up: connections, worker caches, the database's buffers.
    await awaitStressRun(client, (await startStressRun(client, { ...opts, count: CONCURRENCY })).workflowId);

    say(`temporal: ${COUNT} creative flows at concurrency ${CONCURRENCY}`);
    let t0 = performance.now();
    const result = await awaitStressRun(client, (await startStressRun(client, opts)).workflowId);
    const temporalSeconds = (performance.now() - t0) / 1000;

    say(`plain: the same calls from one process`);
    const sim = simSettings(opts);
    const runId = makeRunId('plain');
    const steps = new Map<string, HistogramState>(STEPS.map((s) => [s, emptyHistogram()]));
    const onStep = (step: string, ms: number) => record(steps.get(step)!, ms);
    let next = 0;
    t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < COUNT)
          await plainCreativeFlow({ services: endpoints.services, agent }, sim, runId, next++, 1, onStep);
      }),
    );
    const plainSeconds = (performance.now() - t0) / 1000;

    const temporalRate = COUNT / temporalSeconds;
    const plainRate = COUNT / plainSeconds;
    const rows = STEPS.map((step) => {
      const viaTemporal = result.step_analysis[step]?.p50_duration_ms ?? 0;
      const plain = quantile(steps.get(step)!, 0.5);
      return {
        step,
        temporal_p50_ms: viaTemporal,
        plain_p50_ms: Math.round(plain * 10) / 10,
        overhead_ms: Math.round((viaTemporal - plain) * 10) / 10,
      };
    });
    const overheads = rows.map((r) => r.overhead_ms).sort((a, b) => a - b);
    const summary = {
      count: COUNT,
      concurrency: CONCURRENCY,
      temporal_flows_per_second: Math.round(temporalRate * 100) / 100,
      plain_flows_per_second: Math.round(plainRate * 100) / 100,
      ratio_temporal_to_plain: Math.round((temporalRate / plainRate) * 1000) / 1000,
      median_step_overhead_ms: overheads[Math.floor(overheads.length / 2)],
      temporal_failed: result.failed,
    };
    console.table(rows);
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

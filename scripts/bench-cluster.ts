import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { z } from 'zod';
import { createHttpAgent } from '../src/activities/http';
import { awaitStressRun, startStressRun } from '../src/cli/run-stress';
import { DATA_DIR } from '../src/config';
import { BUILT_IN_PROFILES } from '../src/contracts/fault-profile';
import { startStack, TEMPORAL_SERVER_KINDS } from '../src/stack/stack';
import { connectClient } from '../src/temporal-connection';
import {
  CASES,
  options,
  round,
  runCase,
  runThroughTemporal,
  say,
  SCALE,
  stepOverheadMs,
  type Case,
} from './bench-cases';

/**
 * `npm run bench:cluster`: one Temporal (BENCH_TEMPORAL=dev|cluster) with BENCH_WORKERS worker processes, on a stack
 * of its own (ports 20000 above the defaults, its own data folder): the unloaded case of `npm run bench` for the
 * per-step overhead, then saturated throughput through Temporal (no latency, time scale 0.001) at concurrency 20 and
 * 100.
 * Run it once per combination, back to back, for a side-by-side table (docs/benchmarks.md). BENCH_HOSTS=1 (with
 * BENCH_TEMPORAL=cluster, as root) runs the stack with --hosts: each part in a network namespace of its own.
 */
const env = z
  .object({
    BENCH_TEMPORAL: z.enum(TEMPORAL_SERVER_KINDS).default('dev'),
    BENCH_WORKERS: z
      .string()
      .regex(/^[1-8]$/, 'BENCH_WORKERS must be a whole number from 1 to 8')
      .default('1')
      .transform(Number),
    BENCH_HOSTS: z.enum(['0', '1'], { error: 'BENCH_HOSTS must be 0 or 1' }).default('0'),
  })
  .safeParse(process.env);
if (!env.success) {
  const issue = env.error.issues[0];
  console.error(`bad environment variable ${issue.path.join('.')}: ${issue.message}`);
  process.exit(2);
}
const { BENCH_TEMPORAL: temporalServer, BENCH_WORKERS: workers } = env.data;
const hosts = env.data.BENCH_HOSTS === '1';
if (hosts && temporalServer !== 'cluster') {
  console.error('BENCH_HOSTS=1 needs BENCH_TEMPORAL=cluster');
  process.exit(2);
}
// On hosts the services listen off loopback, which needs these; this process's plain runner sends them too.
if (hosts)
  for (const v of ['HUBSPOT_APP_SECRET', 'GATEWAY_API_KEY']) process.env[v] ||= randomBytes(18).toString('hex');

const saturated = (concurrency: number, count: number): Case => ({
  name: `saturated-c${concurrency}`,
  count: Math.ceil(count * SCALE),
  concurrency,
  timeScale: 0.001,
  faults: BUILT_IN_PROFILES.none,
});

async function main(): Promise<void> {
  const dataDir = path.join(DATA_DIR, 'bench-cluster');
  fs.rmSync(dataDir, { recursive: true, force: true });
  const t0 = performance.now();
  const stack = await startStack({
    dataDir,
    portOffset: 20_000,
    worker: true,
    workers,
    temporalServer,
    hosts,
    log: say,
  });
  const startSeconds = (performance.now() - t0) / 1000;
  say(
    `${temporalServer}${hosts ? ' (hosts)' : ''} stack with ${workers} worker(s) ready in ${startSeconds.toFixed(1)} s`,
  );
  const client = await connectClient(stack.endpoints);
  const agent = createHttpAgent();
  try {
    const warm = { ...saturated(20, 20), name: 'warm-up' };
    await awaitStressRun(client, (await startStressRun(client, options(warm))).workflowId);
    const unloaded = await runCase(client, stack.endpoints, agent, CASES[0]);
    // Temporal only: at concurrency 100 the plain runner's calls overran its 2 s timeout here, and it is not the point.
    const c20 = await runThroughTemporal(client, saturated(20, 200));
    const c100 = await runThroughTemporal(client, saturated(100, 400));
    console.log(
      JSON.stringify({
        temporal: temporalServer,
        hosts,
        workers,
        stack_start_seconds: round(startSeconds, 1),
        unloaded_step_overhead_ms: stepOverheadMs(unloaded),
        c20_flows_per_second: round(c20.temporalRate),
        c100_flows_per_second: round(c100.temporalRate),
        failed: [unloaded, c20, c100].reduce((n, r) => n + r.temporal.failed, 0),
        load_average_1m: round(os.loadavg()[0]),
      }),
    );
  } finally {
    await client.connection.close();
    await agent.close();
    await stack.stop();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

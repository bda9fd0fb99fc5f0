import { setTimeout as delay } from 'node:timers/promises';
import { Agent } from 'undici';
import { endpointsFromEnv } from '../../config';
import { createPool } from '../../db/pool';
import { seededRng } from '../../stats/random';
import { metricsHostFromEnv, metricsPortFromEnv, serveMetrics } from '../shared/metrics-server';
import { claim, execute } from './executor';
import { createExecutorMetrics } from './executor-metrics';

/**
 * One SafeExecutor process: claims due changes and applies them, until SIGTERM. Run several at once. With
 * EXECUTOR_METRICS_PORT set it serves its Prometheus metrics on that port (127.0.0.1, or METRICS_HOST).
 */
async function run(): Promise<void> {
  const name = process.argv[2] ?? `executor-${process.pid}`;
  const endpoints = endpointsFromEnv();
  const metricsPort = metricsPortFromEnv('EXECUTOR_METRICS_PORT');
  const pool = createPool(endpoints.databaseUrl, 6);
  const metrics = createExecutorMetrics(pool, name);
  const deps = {
    pool,
    metaPublisherUrl: endpoints.services['meta-publisher'],
    agent: new Agent({ connections: 16 }),
    name,
    rng: seededRng(Date.now() ^ process.pid),
    onAccountWindow: (n: number) => metrics.accountWindow(n),
  };
  const server =
    metricsPort === undefined ? undefined : await serveMetrics(metrics.registry, metricsPort, metricsHostFromEnv());
  let stopping = false;
  process.once('SIGTERM', () => (stopping = true));
  process.once('SIGINT', () => (stopping = true));
  console.log(`${name} ready${metricsPort ? ` (metrics on ${metricsHostFromEnv()}:${metricsPort})` : ''}`);
  while (!stopping) {
    let changes: Awaited<ReturnType<typeof claim>> = [];
    try {
      changes = await claim(deps);
      metrics.claimed(changes);
      await Promise.all(
        changes.map((c) =>
          execute(deps, c).then(
            (outcome) => metrics.ended(outcome),
            (err) => console.error(`${name}: change ${c.id}:`, err),
          ),
        ),
      );
    } catch (err) {
      // The database may be restarting; the claims we could not finish come back after their lease.
      console.error(`${name}:`, (err as Error).message);
    }
    if (!changes.length) await delay(50);
  }
  await server?.close();
  await deps.pool.end();
  await deps.agent.close();
}

run().catch((err) => {
  console.error(err instanceof Error && err.name === 'ConfigError' ? err.message : err);
  process.exit(1);
});

import { setTimeout as delay } from 'node:timers/promises';
import { Agent } from 'undici';
import { endpointsFromEnv } from '../../config';
import { createPool } from '../../db/pool';
import { seededRng } from '../../stats/random';
import { claim, execute } from './executor';

/** One SafeExecutor process: claims due changes and applies them, until SIGTERM. Run several at once. */
async function run(): Promise<void> {
  const name = process.argv[2] ?? `executor-${process.pid}`;
  const endpoints = endpointsFromEnv();
  const deps = {
    pool: createPool(endpoints.databaseUrl, 6),
    metaPublisherUrl: endpoints.services['meta-publisher'],
    agent: new Agent({ connections: 16 }),
    name,
    rng: seededRng(Date.now() ^ process.pid),
  };
  let stopping = false;
  process.once('SIGTERM', () => (stopping = true));
  process.once('SIGINT', () => (stopping = true));
  console.log(`${name} ready`);
  while (!stopping) {
    let changes: Awaited<ReturnType<typeof claim>> = [];
    try {
      changes = await claim(deps);
      await Promise.all(
        changes.map((c) => execute(deps, c).catch((err) => console.error(`${name}: change ${c.id}:`, err))),
      );
    } catch (err) {
      // The database may be restarting; the claims we could not finish come back after their lease.
      console.error(`${name}:`, (err as Error).message);
    }
    if (!changes.length) await delay(50);
  }
  await deps.pool.end();
  await deps.agent.close();
}

run().catch((err) => {
  console.error(err);
  process.exit(1);
});

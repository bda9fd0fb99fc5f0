import { endpointsFromEnv } from '../config';
import { createPool } from '../db/pool';
import { SERVICE_NAMES, type ServiceName } from './catalog';
import { capacityFor, faultsFor } from '../contracts/fault-profile';
import { loadFaultProfile } from './shared/load-fault-profile';
import { createServiceApp } from './shared/server';
import { SERVICE_ROUTES } from './registry';
import { exposureProblem } from './startup-checks';

/** One simulated service as its own process: `tsx src/services/main.ts <name>`. */
async function run(): Promise<void> {
  const name = process.argv[2] as ServiceName;
  if (!SERVICE_NAMES.includes(name)) {
    console.error(`unknown service '${process.argv[2] ?? ''}': valid are ${SERVICE_NAMES.join(', ')}`);
    process.exit(2);
  }
  const endpoints = endpointsFromEnv();
  const url = new URL(endpoints.services[name]);
  const exposed = exposureProblem(url.hostname, process.env);
  if (exposed) {
    console.error(`${name}: ${exposed}`);
    process.exit(2);
  }
  const pool = createPool(endpoints.databaseUrl, Number(process.env.DB_POOL_SIZE ?? 20));
  const profile = loadFaultProfile(process.env.FAULT_PROFILE ?? 'none');
  const timeScale = Number(process.env.TIME_SCALE ?? 1);
  const app = createServiceApp(
    { name, pool, faults: faultsFor(profile, name), timeScale, capacity: capacityFor(profile, name) },
    (a, ctx) => SERVICE_ROUTES[name](a, ctx, endpoints.services),
  );
  await app.listen({ host: url.hostname, port: Number(url.port) });
  console.log(`${name} listening on ${url.origin} (faults: ${profile.name}, time scale ${timeScale})`);
  const shutdown = async () => {
    await app.close();
    await pool.end();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
}

run().catch((err) => {
  console.error(err);
  process.exit(1);
});

import { ConfigError, endpointsFromEnv } from '../config';
import { migrate } from './migrate';
import { createPool } from './pool';

/**
 * Applies the project's migrations to DATABASE_URL and exits: `npm run migrate`, and the compose file's one-shot
 * `migrate` service (there `npm run stack`, which otherwise migrates on start, does not run).
 */
async function run(): Promise<void> {
  const { databaseUrl } = endpointsFromEnv();
  if (!databaseUrl) throw new ConfigError('DATABASE_URL is not set: name the PostgreSQL database to migrate');
  const pool = createPool(databaseUrl, 1);
  try {
    const applied = await migrate(pool);
    console.log(applied.length ? `migrations applied: ${applied.join(', ')}` : 'schema up to date');
  } finally {
    await pool.end();
  }
}

run().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err instanceof Error ? err.message : err);
  process.exit(1);
});

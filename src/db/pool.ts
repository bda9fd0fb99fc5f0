import { Pool } from 'pg';

/** A pg pool for DATABASE_URL (or the given url); small by default, since every service has its own. */
export function createPool(databaseUrl = process.env.DATABASE_URL, max = 10): Pool {
  if (!databaseUrl)
    throw new Error('DATABASE_URL is not set: start the stack (npm run stack) or point it at PostgreSQL');
  const pool = new Pool({ connectionString: databaseUrl, max, idleTimeoutMillis: 10_000 });
  // An idle client losing its server must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}

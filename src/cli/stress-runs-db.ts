import type { Pool } from 'pg';
import { createPool } from '../db/pool';
import { UsageError } from './errors';
import { resolveEndpoints } from './endpoints';

/** Runs `fn` with a pool on the database that holds stress_runs: DATABASE_URL, else the running stack's. */
export async function withStressRuns<T>(fn: (pool: Pool) => Promise<T>, databaseUrl?: string): Promise<T> {
  const url = databaseUrl ?? resolveEndpoints().endpoints.databaseUrl;
  if (!url) {
    throw new UsageError("no database to read stress_runs from: set DATABASE_URL, or start one with 'npm run stack'");
  }
  const pool = createPool(url, 2);
  try {
    return await fn(pool);
  } finally {
    await pool.end();
  }
}

import fs from 'node:fs';
import path from 'node:path';
import type { Pool } from 'pg';
import { DATA_DIR, type Endpoints } from '../config';
import { createPool } from '../db/pool';
import { PidRegistry, postmasterPid } from '../stack/orphans';
import { assertPortsFree } from '../stack/ports';
import { reachableDataDir, startEmbeddedPostgres } from '../stack/postgres';
import type { ManagedProcess } from '../stack/processes';
import { POSTGRES_PORT } from '../stack/stack';
import { localPortOffset } from './endpoints';
import { CommandFailure } from './errors';

/** host:port/database of a PostgreSQL url, without its credentials. */
function where(url: string): string {
  const u = new URL(url);
  return `${u.host}${u.pathname}`;
}

async function query<T>(url: string, fn: (pool: Pool) => Promise<T>): Promise<T> {
  const pool = createPool(url, 1);
  try {
    return await fn(pool);
  } finally {
    await pool.end();
  }
}

/**
 * Runs `fn` on the PostgreSQL that holds stress_runs when Temporal is not there to ask: DATABASE_URL (or the
 * running stack's), else the project's embedded PostgreSQL, started from its data folder for this one query and
 * stopped after it. Temporal itself is not started: the stored results are all a report needs. Says which it used.
 */
export async function withResultsDatabase<T>(
  endpoints: Endpoints,
  reason: string,
  say: (line: string) => void,
  fn: (pool: Pool) => Promise<T>,
): Promise<T> {
  if (endpoints.databaseUrl) {
    say(`${reason}: answering from stress_runs in PostgreSQL at ${where(endpoints.databaseUrl)}`);
    try {
      return await query(endpoints.databaseUrl, fn);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT') {
        throw new CommandFailure(`PostgreSQL at ${where(endpoints.databaseUrl)} does not answer either (${code})`);
      }
      throw err;
    }
  }
  const requested = path.join(DATA_DIR, 'postgres');
  if (!fs.existsSync(path.join(reachableDataDir(requested), 'PG_VERSION'))) {
    throw new CommandFailure(
      `${reason}, and no results are stored to answer from: no DATABASE_URL, and no PostgreSQL data in ${requested}`,
    );
  }
  const port = POSTGRES_PORT + localPortOffset();
  // Its own pid file (not the stack's): a report killed mid-query leaves a server the next one stops.
  const runDir = path.join(DATA_DIR, 'report');
  fs.mkdirSync(runDir, { recursive: true });
  const pids = new PidRegistry(runDir);
  await pids.reapOrphans();
  await assertPortsFree([{ port, what: 'embedded PostgreSQL' }]);
  say(
    `${reason}: answering from stress_runs, with the project's PostgreSQL (${requested}) started for this query only`,
  );
  let started: ManagedProcess | undefined;
  try {
    const db = await startEmbeddedPostgres(requested, port, {
      logDir: path.join(runDir, 'logs'),
      onSpawn: (p) => {
        started = p;
        pids.add(p.child.pid);
      },
    });
    pids.add(postmasterPid(db.dataDir));
    return await query(db.url, fn);
  } finally {
    await started?.stop();
    pids.clear();
  }
}

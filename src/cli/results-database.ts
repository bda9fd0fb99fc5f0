import fs from 'node:fs';
import path from 'node:path';
import type { Pool } from 'pg';
import { DATA_DIR } from '../config';
import { createPool } from '../db/pool';
import { PidRegistry, postmasterPid } from '../stack/orphans';
import { assertPortsFree } from '../stack/ports';
import { reachableDataDir, startEmbeddedPostgres } from '../stack/postgres';
import type { ManagedProcess } from '../stack/processes';
import { POSTGRES_PORT } from '../stack/stack';
import { localPortOffset, resolveEndpoints } from './endpoints';
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

/** Where to find stress_runs, and why the caller is asking the database (said in its first line). */
export interface ResultsDatabaseRequest {
  /** A database already known (the session's stack); else DATABASE_URL or the running stack's. */
  databaseUrl?: string;
  /** Why stress_runs is asked, e.g. that Temporal does not answer; said before the answer. */
  why?: string;
  say: (line: string) => void;
}

/**
 * The one way the CLI finds the PostgreSQL that holds stress_runs, and runs `fn` on it: the url it is given, else
 * DATABASE_URL or the running stack's, else the project's embedded PostgreSQL, started from its data folder for
 * this one query and stopped after it (Temporal is not started: stored results are all that is read). With none of
 * these it says so in one line. Says which it used when there is a `why`, or when it starts one.
 */
export async function withResultsDatabase<T>(req: ResultsDatabaseRequest, fn: (pool: Pool) => Promise<T>): Promise<T> {
  const url = req.databaseUrl ?? resolveEndpoints().endpoints.databaseUrl;
  const why = req.why;
  if (url) {
    if (why) req.say(`${why}: answering from stress_runs in PostgreSQL at ${where(url)}`);
    try {
      return await query(url, fn);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT') {
        throw new CommandFailure(`PostgreSQL at ${where(url)} does not answer${why ? ' either' : ''} (${code})`);
      }
      throw err;
    }
  }
  return withStoredPostgres(why ?? "no PostgreSQL is running ('npm run stack' starts one)", req.say, fn);
}

/** `fn` on the project's own PostgreSQL data, started for it; or a line saying there is none to start. */
async function withStoredPostgres<T>(why: string, say: (line: string) => void, fn: (pool: Pool) => Promise<T>) {
  const requested = path.join(DATA_DIR, 'postgres');
  if (!fs.existsSync(path.join(reachableDataDir(requested), 'PG_VERSION'))) {
    throw new CommandFailure(
      `${why}, and no results are stored to answer from: no DATABASE_URL, and no PostgreSQL data in ${requested}`,
    );
  }
  const port = POSTGRES_PORT + localPortOffset();
  // Its own pid file (not the stack's): a report killed mid-query leaves a server the next one stops.
  const runDir = path.join(DATA_DIR, 'report');
  fs.mkdirSync(runDir, { recursive: true });
  const pids = new PidRegistry(runDir);
  await pids.reapOrphans();
  await assertPortsFree([{ port, what: 'embedded PostgreSQL' }]);
  say(`${why}: answering from stress_runs, with the project's PostgreSQL (${requested}) started for this query only`);
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

import fs from 'node:fs';
import path from 'node:path';
import { request } from 'undici';
import { DATA_DIR, endpointsToEnv, PROJECT_ROOT, type Endpoints } from '../config';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { SERVICE_NAMES, SERVICES, type ServiceName } from '../services/catalog';
import { PidRegistry, postmasterPid } from './orphans';
import { assertPortsFree } from './ports';
import { startEmbeddedPostgres } from './postgres';
import { startProcess, tailLog, waitUntilReady, type ManagedProcess } from './processes';
import { ensureTemporalCli } from './temporal-cli';
import { startTemporalDevServer, temporalAnswers } from './temporal-server';

export interface StackOptions {
  dataDir?: string;
  /** Added to every default port, so a test stack can run beside a developer's. */
  portOffset?: number;
  /** The services' own fault profile (runs override it per request) and time scale. */
  faults?: string;
  timeScale?: number;
  /** Start a worker process too (`npm run stack` does; tests run their own). */
  worker?: boolean;
  /** An existing PostgreSQL instead of the embedded one. */
  databaseUrl?: string;
  /** An existing Temporal cluster (and its Web UI) instead of the dev server. */
  temporal?: { address: string; namespace: string; uiUrl?: string };
  log?: (line: string) => void;
}

export interface RunningStack {
  endpoints: Endpoints;
  stackFile: string;
  stop(): Promise<void>;
}

const TSX_ARGS = ['--import', 'tsx'];
/** The local stack's ports before any offset (exported for the CLI's commands that find a stopped stack). */
export const POSTGRES_PORT = 5433;
export const TEMPORAL_PORT = 7233;
const UI_PORT = 8233;
const EXECUTORS = 2;

export function stackFilePath(dataDir = DATA_DIR): string {
  return path.join(dataDir, 'stack.json');
}

async function healthy(url: string): Promise<boolean> {
  const res = await request(`${url}/health`, { headersTimeout: 1000, bodyTimeout: 1000 });
  await res.body.dump();
  return res.statusCode === 200;
}

/**
 * Starts everything a run needs: the Temporal dev server, PostgreSQL with migrations applied, the six
 * services as their own processes and (optionally) a worker. Stops what it started if any part fails.
 */
export async function startStack(opts: StackOptions = {}): Promise<RunningStack> {
  const log = opts.log ?? ((line: string) => console.error(line));
  const dataDir = opts.dataDir ?? DATA_DIR;
  const logDir = path.join(dataDir, 'logs');
  const offset = opts.portOffset ?? 0;
  const databaseUrl = opts.databaseUrl ?? process.env.DATABASE_URL;
  const ports = {
    temporal: TEMPORAL_PORT + offset,
    ui: UI_PORT + offset,
    postgres: POSTGRES_PORT + offset,
    services: Object.fromEntries(SERVICE_NAMES.map((s) => [s, SERVICES[s].port + offset])) as Record<
      ServiceName,
      number
    >,
  };
  const endpoints: Endpoints = {
    temporalAddress: opts.temporal?.address ?? `127.0.0.1:${ports.temporal}`,
    namespace: opts.temporal?.namespace ?? 'default',
    // A cluster's Web UI is known only when the user names it (TEMPORAL_UI_URL); the dev server's is ours.
    temporalUiUrl: opts.temporal ? opts.temporal.uiUrl : `http://127.0.0.1:${ports.ui}`,
    databaseUrl,
    services: Object.fromEntries(SERVICE_NAMES.map((s) => [s, `http://127.0.0.1:${ports.services[s]}`])) as Record<
      ServiceName,
      string
    >,
  };

  const cliPath = opts.temporal ? '' : ensureTemporalCli(log);
  fs.mkdirSync(dataDir, { recursive: true });
  const pids = new PidRegistry(dataDir);
  const reaped = await pids.reapOrphans();
  if (reaped) log(`stopped ${reaped} processes left running by a stack that did not shut down`);
  await assertPortsFree([
    ...(opts.temporal
      ? []
      : [
          { port: ports.temporal, what: 'Temporal gRPC' },
          { port: ports.ui, what: 'Temporal Web UI' },
        ]),
    ...(databaseUrl ? [] : [{ port: ports.postgres, what: 'embedded PostgreSQL' }]),
    ...SERVICE_NAMES.map((s) => ({ port: ports.services[s], what: SERVICES[s].title })),
  ]);

  const processes: ManagedProcess[] = [];
  const stop = async () => {
    // Reverse order of start: worker, services, then PostgreSQL and Temporal.
    for (const p of [...processes].reverse()) await p.stop();
    processes.length = 0;
    pids.clear();
    fs.rmSync(stackFilePath(dataDir), { force: true });
  };

  try {
    log(
      opts.temporal
        ? `using Temporal at ${opts.temporal.address}; starting PostgreSQL`
        : `starting Temporal dev server (${cliPath}) and PostgreSQL`,
    );
    const register = (p: ManagedProcess) => {
      processes.push(p);
      pids.add(p.child.pid);
    };
    const [, db] = await Promise.all([
      opts.temporal
        ? waitUntilReady(
            undefined,
            `Temporal at ${opts.temporal.address}`,
            () => temporalAnswers(opts.temporal!.address),
            10_000,
          )
        : startTemporalDevServer({
            cliPath,
            port: ports.temporal,
            uiPort: ports.ui,
            dataDir: path.join(dataDir, 'temporal'),
            logDir,
            namespace: endpoints.namespace,
            onSpawn: register,
          }),
      databaseUrl
        ? undefined
        : startEmbeddedPostgres(path.join(dataDir, 'postgres'), ports.postgres, { logDir, onSpawn: register, log }),
    ]);
    if (db) pids.add(postmasterPid(db.dataDir));
    endpoints.databaseUrl ??= db?.url;

    const pool = createPool(endpoints.databaseUrl, 2);
    try {
      const applied = await migrate(pool);
      log(applied.length ? `migrations applied: ${applied.join(', ')}` : 'schema up to date');
    } finally {
      await pool.end();
    }

    const env = {
      ...process.env,
      ...endpointsToEnv(endpoints),
      FAULT_PROFILE: opts.faults ?? 'none',
      TIME_SCALE: String(opts.timeScale ?? 1),
    };
    const tsx = (name: string, script: string, args: string[] = []) =>
      startProcess(name, process.execPath, [...TSX_ARGS, path.join(PROJECT_ROOT, script), ...args], {
        env,
        logDir,
        cwd: PROJECT_ROOT,
        onSpawn: register,
      });
    // The worker only needs Temporal, so it bundles its workflows while the services start.
    const worker = opts.worker ? tsx('worker', 'src/worker.ts') : undefined;
    // SafeExecutor workers: more than one, claiming with SKIP LOCKED, each its own process.
    const executors = Array.from({ length: EXECUTORS }, (_, i) =>
      tsx(`executor-${i + 1}`, 'src/services/meta-publisher/executor-main.ts', [`executor-${i + 1}`]),
    );
    await Promise.all([
      ...executors.map((p) => waitUntilReady(p, p.name, async () => tailLog(p.logFile, 5).includes('ready'), 60_000)),
      ...SERVICE_NAMES.map((name) => {
        const p = tsx(name, 'src/services/main.ts', [name]);
        return waitUntilReady(p, `service ${name}`, () => healthy(endpoints.services[name]), 60_000);
      }),
      worker &&
        waitUntilReady(worker, 'the worker', async () => tailLog(worker.logFile, 50).includes('worker ready'), 120_000),
    ]);
  } catch (err) {
    await stop();
    throw err;
  }

  const stackFile = stackFilePath(dataDir);
  fs.writeFileSync(
    stackFile,
    JSON.stringify(
      {
        temporalAddress: endpoints.temporalAddress,
        temporalNamespace: endpoints.namespace,
        temporalUiUrl: endpoints.temporalUiUrl,
        databaseUrl: endpoints.databaseUrl,
        services: endpoints.services,
        pid: process.pid,
        startedAt: new Date().toISOString(),
      },
      null,
      2,
    ) + '\n',
  );
  return { endpoints, stackFile, stop };
}

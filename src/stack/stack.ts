import fs from 'node:fs';
import path from 'node:path';
import { request } from 'undici';
import { DATA_DIR, endpointsToEnv, type Endpoints } from '../config';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { SERVICE_NAMES, SERVICES, type ServiceName } from '../services/catalog';
import { PidRegistry, postmasterPid } from './orphans';
import { assertPortsFree } from './ports';
import { executorMetricsPort, workerMetricsEnv } from './metrics-ports';
import { metricsPlan, serveStackMetrics } from './monitoring';
import { embeddedDatabaseUrl, reachableDataDir, startEmbeddedPostgres } from './postgres';
import { nodeChildSpec, printed } from './node-child';
import { waitUntilReady, type ManagedProcess } from './processes';
import { writeStackFile, type ChildStatus, type StackFile } from './stack-file';
import { Supervisor } from './supervisor';
import { ensureTemporalCli } from './temporal-cli';
import { prepareTemporalCluster } from './temporal-cluster';
import { ensureServerBinaries } from './temporal-server-binary';
import { startTemporalDevServer, temporalAnswers } from './temporal-server';

type NodeChildReady = (p: ManagedProcess) => Promise<boolean>;

export interface StackOptions {
  dataDir?: string;
  /** Added to every default port, so a test stack can run beside a developer's. */
  portOffset?: number;
  /** The services' own fault profile (runs override it per request) and time scale. */
  faults?: string;
  timeScale?: number;
  /** Start worker processes too (`npm run stack` does; tests run their own). */
  worker?: boolean;
  /** How many worker processes when `worker` is set (default 1). */
  workers?: number;
  /** Which Temporal to start: the CLI's dev server (default), or the official server's four roles on PostgreSQL. */
  temporalServer?: TemporalServerKind;
  /** The PostgreSQL for the cluster's stores (default TEMPORAL_DATABASE_URL, else the stack's own PostgreSQL). */
  temporalDatabaseUrl?: string;
  /** An existing PostgreSQL instead of the embedded one. */
  databaseUrl?: string;
  /** An existing Temporal cluster (and its Web UI) instead of the dev server. */
  temporal?: { address: string; namespace: string; uiUrl?: string };
  /**
   * Also run a Prometheus scraping every process. `workers`: how many worker metrics ports it scrapes (default:
   * the workers the stack starts; a stack that starts none, as the tests' does, names the workers it expects).
   */
  monitoring?: boolean | { workers?: number };
  log?: (line: string) => void;
}

export interface RunningStack {
  endpoints: Endpoints;
  stackFile: string;
  /** The stack's Prometheus, with `monitoring`. */
  prometheusUrl?: string;
  stop(): Promise<void>;
  /** The supervised processes, as stack.json lists them. */
  processes(): ChildStatus[];
}

/** The local stack's ports before any offset (exported for the CLI's commands that find a stopped stack). */
export const POSTGRES_PORT = 5433;
export const TEMPORAL_PORT = 7233;
const UI_PORT = 8233;
/** SafeExecutor processes a stack runs, named executor-1 … executor-N. */
export const EXECUTORS = 2;
export const TEMPORAL_SERVER_KINDS = ['dev', 'cluster'] as const;
export type TemporalServerKind = (typeof TEMPORAL_SERVER_KINDS)[number];

/** The stack's worker processes: `worker` when there is one (as chaos and stack.json readers know it), else worker-1 … worker-N. */
export function workerNames(count: number): string[] {
  return count === 1 ? ['worker'] : Array.from({ length: count }, (_, i) => `worker-${i + 1}`);
}

export function stackFilePath(dataDir = DATA_DIR): string {
  return path.join(dataDir, 'stack.json');
}

/** GEMINIVIDEO_PORT_OFFSET moves a hand-started stack's ports, as portOffset does a test's. */
function portOffsetFromEnv(): number {
  const text = process.env.GEMINIVIDEO_PORT_OFFSET ?? '0';
  const offset = Number(text);
  if (!Number.isInteger(offset) || offset < 0 || offset > 50_000) {
    throw new Error(`bad environment variable GEMINIVIDEO_PORT_OFFSET=${text}: a whole number from 0 to 50000`);
  }
  return offset;
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
  const offset = opts.portOffset ?? portOffsetFromEnv();
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

  const cluster = !opts.temporal && opts.temporalServer === 'cluster';
  const workerCount = opts.worker ? (opts.workers ?? 1) : 0;
  const metrics = metricsPlan({
    portOffset: offset,
    dataDir,
    devServer: !opts.temporal && !cluster,
    executors: EXECUTORS,
    workers: workerCount,
    monitoring: opts.monitoring,
  });
  const cliPath = opts.temporal || cluster ? '' : ensureTemporalCli(log);
  const serverBinaries = cluster ? ensureServerBinaries(log) : undefined;
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
    ...metrics.ports,
  ]);

  // Each start of a stack begins its logs afresh; within it, a restarted child appends to its own.
  fs.rmSync(logDir, { recursive: true, force: true });
  fs.mkdirSync(logDir, { recursive: true });
  const stackFile = stackFilePath(dataDir);
  let ready = false;
  const supervisor = new Supervisor({
    log: (line) => log(`[supervisor] ${line}`),
    logFile: path.join(logDir, 'supervisor.log'),
    onSpawn: (p) => pids.add(p.child.pid),
    onChange: () => ready && writeStackFile(stackFile, stackFileContent()),
  });
  const stackFileContent = (): StackFile => ({
    temporalAddress: endpoints.temporalAddress,
    temporalNamespace: endpoints.namespace,
    temporalUiUrl: endpoints.temporalUiUrl,
    databaseUrl: endpoints.databaseUrl,
    services: endpoints.services,
    prometheusUrl: metrics.prometheusUrl,
    metrics: metrics.urls,
    pid: process.pid,
    startedAt,
    restarts_total: supervisor.restarts,
    processes: supervisor.status(),
  });
  const startedAt = new Date().toISOString();
  let stackMetrics: { close(): Promise<void> } | undefined;
  const stop = async () => {
    ready = false;
    await supervisor.stop();
    await stackMetrics?.close();
    pids.clear();
    fs.rmSync(stackFile, { force: true });
  };

  try {
    log(
      opts.temporal
        ? `using Temporal at ${opts.temporal.address}; starting PostgreSQL`
        : cluster
          ? 'starting PostgreSQL, then the official Temporal server (frontend, history, matching, worker) on it'
          : `starting Temporal dev server (${cliPath}) and PostgreSQL`,
    );
    const postgresDir = reachableDataDir(path.join(dataDir, 'postgres'));
    await Promise.all([
      cluster
        ? undefined
        : opts.temporal
          ? waitUntilReady(
              undefined,
              `Temporal at ${opts.temporal.address}`,
              () => temporalAnswers(opts.temporal!.address),
              10_000,
            )
          : supervisor.add({
              name: 'temporal',
              start: (onSpawn) =>
                startTemporalDevServer({
                  cliPath,
                  port: ports.temporal,
                  uiPort: ports.ui,
                  dataDir: path.join(dataDir, 'temporal'),
                  logDir,
                  namespace: endpoints.namespace,
                  metricsPort: metrics.temporalPort,
                  onSpawn,
                }),
            }),
      databaseUrl
        ? undefined
        : supervisor.add({
            name: 'postgres',
            start: async (onSpawn) => {
              const db = await startEmbeddedPostgres(postgresDir, ports.postgres, { logDir, onSpawn, log });
              pids.add(postmasterPid(db.dataDir));
              return db.process;
            },
            innerPid: () => postmasterPid(postgresDir),
          }),
    ]);
    endpoints.databaseUrl ??= embeddedDatabaseUrl(ports.postgres);
    if (serverBinaries) {
      const temporal = await prepareTemporalCluster({
        binaries: serverBinaries,
        databaseUrl: opts.temporalDatabaseUrl ?? process.env.TEMPORAL_DATABASE_URL ?? endpoints.databaseUrl,
        dataDir: path.join(dataDir, 'temporal-cluster'),
        logDir,
        namespace: endpoints.namespace,
        portOffset: offset,
        uiPort: ports.ui,
        log,
      });
      await Promise.all(temporal.children.map((spec) => supervisor.add(spec)));
      await temporal.ready();
    }

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
    const child = (
      name: string,
      script: string,
      args: string[],
      what: string,
      ready: NodeChildReady,
      timeoutMs?: number,
      ownEnv: Record<string, string> = {},
    ) =>
      supervisor.add(nodeChildSpec({ name, script, args, env: { ...env, ...ownEnv }, logDir, what, ready, timeoutMs }));
    await Promise.all([
      // The worker only needs Temporal, so it bundles its workflows while the services start.
      ...(opts.worker ? workerNames(workerCount) : []).map((name, i) =>
        child(
          name,
          'src/worker.ts',
          [],
          `the ${name}`,
          printed('worker ready'),
          240_000,
          workerMetricsEnv(i + 1, offset),
        ),
      ),
      // SafeExecutor workers: more than one, claiming with SKIP LOCKED, each its own process.
      ...Array.from({ length: EXECUTORS }, (_, i) =>
        child(
          `executor-${i + 1}`,
          'src/services/meta-publisher/executor-main.ts',
          [`executor-${i + 1}`],
          `executor-${i + 1}`,
          printed('ready'),
          undefined,
          { EXECUTOR_METRICS_PORT: String(executorMetricsPort(i + 1, offset)) },
        ),
      ),
      ...SERVICE_NAMES.map((name) =>
        child(name, 'src/services/main.ts', [name], `service ${name}`, () => healthy(endpoints.services[name])),
      ),
    ]);
    stackMetrics = await serveStackMetrics(() => supervisor.status(), metrics.stackPort);
    if (metrics.prometheus) {
      log(`starting Prometheus (${metrics.prometheusUrl}), scraping ${metrics.prometheus.targets.length} processes`);
      await supervisor.add(metrics.prometheus);
    }
  } catch (err) {
    await stop();
    throw err;
  }

  ready = true;
  writeStackFile(stackFile, stackFileContent());
  return {
    endpoints,
    stackFile,
    prometheusUrl: metrics.prometheusUrl,
    stop,
    processes: () => supervisor.status(),
  };
}

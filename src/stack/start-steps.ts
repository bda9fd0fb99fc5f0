import path from 'node:path';
import { request } from 'undici';
import { endpointsToEnv } from '../config';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { SERVICE_NAMES } from '../services/catalog';
import { hostsRecord } from './hosts/host-plan';
import { createHostNetwork, removeHostNetwork } from './hosts/network';
import { offLoopbackSecrets } from './hosts/part-env';
import { hostsPrerequisiteMissing } from './hosts/preflight';
import { executorMetricsPort, workerMetricsEnv } from './metrics-ports';
import { serveStackMetrics } from './monitoring';
import { nodeChildSpec, printed } from './node-child';
import { postmasterPid } from './orphans';
import { embeddedDatabaseUrl, reachableDataDir, startEmbeddedPostgres } from './postgres';
import { waitUntilReady } from './processes';
import { EXECUTORS, workerNames } from './stack-plan';
import { stackFileContent, type StartContext } from './start-context';
import { writeStackFile } from './stack-file';
import { prepareTemporalCluster } from './temporal-cluster';
import { startTemporalDevServer, temporalAnswers } from './temporal-server';

/** One part of a stack's start; it adds what it starts to the context's supervisor, so a failed start stops it. */
export type StartStep = (ctx: StartContext) => Promise<void>;

/** The one line that says which Temporal and which PostgreSQL the stack starts. */
async function announce(ctx: StartContext): Promise<void> {
  const { opts } = ctx;
  ctx.log(
    opts.temporal
      ? `using Temporal at ${opts.temporal.address}; starting PostgreSQL`
      : ctx.cluster
        ? 'starting PostgreSQL, then the official Temporal server (frontend, history, matching, worker) on it'
        : `starting Temporal dev server (${ctx.cliPath}) and PostgreSQL`,
  );
}

/**
 * With --hosts: the bridge and a namespace per part, after removing what a killed stack on the same subnet left.
 * Parts then find each other only by these addresses: loopback in a namespace holds nothing but the part itself.
 */
async function hostNetwork(ctx: StartContext): Promise<void> {
  const { network } = ctx;
  if (!network) return;
  const missing = hostsPrerequisiteMissing();
  if (missing) throw new Error(missing);
  const stale = await removeHostNetwork(network);
  if (stale) ctx.log(`removed ${stale} namespaces and links a stack that did not shut down left (${network.prefix}*)`);
  await createHostNetwork(network);
  ctx.hostsEnv = offLoopbackSecrets();
  const count = Object.keys(network.parts).length;
  ctx.log(
    `${count} hosts on bridge ${network.bridge} (${network.subnet}), each part in a network namespace of its own`,
  );
}

/** The dev server, or a wait for the Temporal the options name; the cluster starts later, on PostgreSQL. */
async function temporal(ctx: StartContext): Promise<void> {
  const { opts, ports, dataDir } = ctx;
  if (ctx.cluster) return;
  if (opts.temporal) {
    const { address } = opts.temporal;
    await waitUntilReady(undefined, `Temporal at ${address}`, () => temporalAnswers(address), 10_000);
    return;
  }
  await ctx.supervisor.add({
    name: 'temporal',
    start: (onSpawn) =>
      startTemporalDevServer({
        cliPath: ctx.cliPath,
        port: ports.temporal,
        uiPort: ports.ui,
        dataDir: path.join(dataDir, 'temporal'),
        logDir: ctx.logDir,
        namespace: ctx.endpoints.namespace,
        metricsPort: ctx.metrics.temporalPort,
        onSpawn,
      }),
  });
}

/** The embedded PostgreSQL, unless the options name a database. */
async function postgres(ctx: StartContext): Promise<void> {
  const { pids, ports, logDir, log, network } = ctx;
  if (ctx.databaseUrl) return;
  const postgresDir = reachableDataDir(path.join(ctx.dataDir, 'postgres'));
  const part = network?.parts.postgres;
  const host = part && { netns: part.netns, ip: part.ip, subnet: network.subnet };
  await ctx.supervisor.add({
    name: 'postgres',
    start: async (onSpawn) => {
      const db = await startEmbeddedPostgres(postgresDir, ports.postgres, { logDir, onSpawn, log, host });
      pids.add(postmasterPid(db.dataDir));
      return db.process;
    },
    innerPid: () => postmasterPid(postgresDir),
  });
  ctx.endpoints.databaseUrl ??= embeddedDatabaseUrl(ports.postgres, part?.ip);
}

/** The official server's roles and Web UI on PostgreSQL (its own stores, or the stack's), with the namespace. */
async function temporalCluster(ctx: StartContext): Promise<void> {
  if (!ctx.serverBinaries) return;
  const temporal = await prepareTemporalCluster({
    binaries: ctx.serverBinaries,
    // On hosts only the stack's own PostgreSQL host is reachable from the roles' namespaces.
    databaseUrl: ctx.network
      ? ctx.endpoints.databaseUrl!
      : (ctx.opts.temporalDatabaseUrl ?? process.env.TEMPORAL_DATABASE_URL ?? ctx.endpoints.databaseUrl!),
    dataDir: path.join(ctx.dataDir, 'temporal-cluster'),
    logDir: ctx.logDir,
    namespace: ctx.endpoints.namespace,
    portOffset: ctx.offset,
    uiPort: ctx.ports.ui,
    log: ctx.log,
    hosts: ctx.network && hostsRecord(ctx.network),
  });
  await Promise.all(temporal.children.map((spec) => ctx.supervisor.add(spec)));
  await temporal.ready();
}

/** The project's schema, before any process that uses the database starts. */
async function migrations(ctx: StartContext): Promise<void> {
  const pool = createPool(ctx.endpoints.databaseUrl!, 2);
  try {
    const applied = await migrate(pool);
    ctx.log(applied.length ? `migrations applied: ${applied.join(', ')}` : 'schema up to date');
  } finally {
    await pool.end();
  }
}

type NodeChild = Omit<Parameters<typeof nodeChildSpec>[0], 'env' | 'logDir'>;

/**
 * A Node process of the project's, supervised, with the stack's addresses (and `ownEnv`) in its environment. On
 * hosts it runs in its part's namespace, its metrics bound to its own address, as the compose file sets them.
 */
function nodeChild(ctx: StartContext, child: NodeChild, ownEnv: Record<string, string> = {}): Promise<void> {
  const host = ctx.network?.parts[child.name];
  const env = {
    ...process.env,
    ...endpointsToEnv(ctx.endpoints),
    FAULT_PROFILE: ctx.opts.faults ?? 'none',
    TIME_SCALE: String(ctx.opts.timeScale ?? 1),
    ...(host ? { ...ctx.hostsEnv, METRICS_HOST: host.ip } : {}),
    ...ownEnv,
  };
  return ctx.supervisor.add(nodeChildSpec({ ...child, env, logDir: ctx.logDir, netns: host?.netns }));
}

/** The worker processes; they only need Temporal, so they bundle their workflows while the services start. */
async function workers(ctx: StartContext): Promise<void> {
  const names = ctx.opts.worker ? workerNames(ctx.workerCount) : [];
  await Promise.all(
    names.map((name, i) =>
      nodeChild(
        ctx,
        {
          name,
          script: 'src/worker.ts',
          args: [],
          what: `the ${name}`,
          ready: printed('worker ready'),
          timeoutMs: 240_000,
        },
        workerMetricsEnv(i + 1, ctx.offset),
      ),
    ),
  );
}

/** SafeExecutor workers: more than one, claiming with SKIP LOCKED, each its own process. */
async function executors(ctx: StartContext): Promise<void> {
  await Promise.all(
    Array.from({ length: EXECUTORS }, (_, i) => {
      const name = `executor-${i + 1}`;
      const script = 'src/services/meta-publisher/executor-main.ts';
      const ownEnv = { EXECUTOR_METRICS_PORT: String(executorMetricsPort(i + 1, ctx.offset)) };
      return nodeChild(ctx, { name, script, args: [name], what: name, ready: printed('ready') }, ownEnv);
    }),
  );
}

async function healthy(url: string): Promise<boolean> {
  const res = await request(`${url}/health`, { headersTimeout: 1000, bodyTimeout: 1000 });
  await res.body.dump();
  return res.statusCode === 200;
}

/** The six services, each its own process, ready once it answers /health. */
async function services(ctx: StartContext): Promise<void> {
  await Promise.all(
    SERVICE_NAMES.map((name) =>
      nodeChild(ctx, {
        name,
        script: 'src/services/main.ts',
        args: [name],
        what: `service ${name}`,
        ready: () => healthy(ctx.endpoints.services[name]),
      }),
    ),
  );
}

/** The stack process's own metrics (its children's restarts). */
async function stackMetrics(ctx: StartContext): Promise<void> {
  ctx.stackMetrics = await serveStackMetrics(() => ctx.supervisor.status(), ctx.metrics.stackPort);
}

/** Prometheus scraping every process, with monitoring. */
async function prometheus(ctx: StartContext): Promise<void> {
  const { metrics } = ctx;
  if (!metrics.prometheus) return;
  ctx.log(`starting Prometheus (${metrics.prometheusUrl}), scraping ${metrics.prometheus.targets.length} processes`);
  await ctx.supervisor.add(metrics.prometheus);
}

/** stack.json, for the CLI's other commands; from now on each change of a child rewrites it. */
async function publishStackFile(ctx: StartContext): Promise<void> {
  ctx.ready = true;
  writeStackFile(ctx.stackFile, stackFileContent(ctx));
}

/**
 * A stack's start, in order: each stage's steps run at once, and a stage starts when the one before is done.
 * With --hosts the network comes first. Temporal and PostgreSQL start together; the cluster needs PostgreSQL; the migrations precede every process
 * that uses the database; the stack's metrics are served once the processes they report on exist.
 */
export const START_STAGES: ReadonlyArray<readonly StartStep[]> = [
  [announce, hostNetwork],
  [temporal, postgres],
  [temporalCluster],
  [migrations],
  [workers, executors, services],
  [stackMetrics],
  [prometheus],
  [publishStackFile],
];

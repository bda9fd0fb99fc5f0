import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common';
import { GRPC, grpcCode } from '../temporal-errors';
import { ensureNamespaceReady } from '../temporal-namespace';
import { request } from 'undici';
import { assertPortsFree, portAnswers, portInUse } from './ports';
import { startProcess, waitUntilReady, type ManagedProcess } from './processes';
import type { ChildSpec } from './supervisor';
import {
  CLUSTER_DATABASES,
  CLUSTER_ROLES,
  clusterConfig,
  clusterPorts,
  dynamicConfigFile,
  roleMetricsEnv,
  sqlConnection,
  uiServerConfig,
  type ClusterRole,
} from './temporal-cluster-config';
import type { ServerBinaries } from './temporal-server-binary';
import { devServerTuning, temporalEnv } from './dev-server-tuning';
import { DYNAMIC_CONFIG, temporalAnswers } from './temporal-server';

const run = promisify(execFile);
const CONFIG_ENV = 'cluster';

/** The SQL tool's schema names (embedded in the binary) for the two stores. */
const SCHEMAS = {
  [CLUSTER_DATABASES.default]: 'postgresql/v12/temporal',
  [CLUSTER_DATABASES.visibility]: 'postgresql/v12/visibility',
} as const;

/**
 * Creates the server's two databases if missing and sets up or upgrades their schemas to the binary's own
 * version, with the official SQL tool (each step is safe to repeat: a second start changes nothing).
 */
export async function setupClusterSchemas(
  sqlTool: string,
  databaseUrl: string,
  log: (line: string) => void,
): Promise<void> {
  const c = sqlConnection(databaseUrl);
  const base = ['--plugin', 'postgres12', '--ep', c.host, '-p', String(c.port), '-u', c.user, '--pw', c.password];
  for (const [database, schema] of Object.entries(SCHEMAS)) {
    const tool = (args: string[]) => run(sqlTool, [...base, '--db', database, ...args], { timeout: 120_000 });
    try {
      await tool(['create-database', '--defaultdb', 'postgres']);
    } catch (err) {
      const out = `${(err as { stdout?: string }).stdout ?? ''}${(err as { stderr?: string }).stderr ?? ''}`;
      if (!/already exists/.test(out))
        throw new Error(`sql tool: could not create database ${database}: ${out.trim().split('\n').at(-1)}`);
    }
    await tool(['setup-schema', '-v', '0.0']);
    await tool(['update-schema', '--schema-name', schema]);
    log(`Temporal schema ${schema} up to date in database ${database}`);
  }
}

export interface TemporalClusterOptions {
  binaries: ServerBinaries;
  /** The PostgreSQL server that gets the `temporal` and `temporal_visibility` databases. */
  databaseUrl: string;
  dataDir: string;
  logDir: string;
  namespace: string;
  portOffset?: number;
  historyShards?: number;
  /** The Web UI server's HTTP port (the stack gives it the dev server's UI port). */
  uiPort: number;
  log?: (line: string) => void;
  /** With --hosts: the parts' hosts (temporal-frontend … temporal-ui among them), each role run in its own. */
  hosts?: Record<string, { netns: string; ip: string }>;
}

/** The host a role (or the UI, `ui`) runs on: its namespace and address, or loopback without hosts. */
function hostOfRole(opts: TemporalClusterOptions, role: ClusterRole | 'ui'): { netns?: string; ip: string } {
  return opts.hosts?.[`temporal-${role}`] ?? { ip: '127.0.0.1' };
}

/** The cluster's parts, each one supervised child: four server roles, then the Web UI server. */
export interface TemporalCluster {
  address: string;
  uiUrl: string;
  /** Frontend, history, matching, worker, ui: each resolves once its process serves. */
  children: ChildSpec[];
  /** After every child serves: the namespace registered when new, its search attributes as on any cluster. */
  ready(): Promise<void>;
}

const START_TIMEOUT_MS = 120_000;

async function uiAnswers(url: string): Promise<boolean> {
  const res = await request(`${url}/healthz`, { headersTimeout: 1000, bodyTimeout: 1000 });
  await res.body.dump();
  return res.statusCode === 200;
}

type ClusterPorts = ReturnType<typeof clusterPorts>;

/** Every port the roles and the Web UI will bind: each must be free. */
function claimClusterPorts(ports: ClusterPorts, uiPort: number): Promise<void> {
  return assertPortsFree([
    ...CLUSTER_ROLES.flatMap((r) => [
      { port: ports[r].grpc, what: `Temporal ${r} gRPC` },
      { port: ports[r].membership, what: `Temporal ${r} membership` },
    ]),
    { port: ports.frontendHttp, what: 'Temporal frontend HTTP' },
    { port: uiPort, what: 'Temporal Web UI' },
  ]);
}

/** The server's config (with its dynamic config) and the Web UI server's, under the cluster's data dir. */
function writeClusterConfig(opts: TemporalClusterOptions, address: string): void {
  const configDir = path.join(opts.dataDir, 'config');
  const uiConfigDir = path.join(opts.dataDir, 'ui-config');
  fs.mkdirSync(configDir, { recursive: true });
  fs.mkdirSync(uiConfigDir, { recursive: true });
  const dynamicConfigPath = path.join(configDir, 'dynamic-config.yaml');
  // The dev server's tuning too, so the two compare on the same queue-processor poll rates.
  fs.writeFileSync(dynamicConfigPath, dynamicConfigFile({ ...DYNAMIC_CONFIG, ...devServerTuning() }));
  fs.writeFileSync(
    path.join(configDir, `${CONFIG_ENV}.yaml`),
    clusterConfig({
      databaseUrl: opts.databaseUrl,
      portOffset: opts.portOffset,
      historyShards: opts.historyShards,
      dynamicConfigPath,
      bindOnIP: opts.hosts
        ? (Object.fromEntries(CLUSTER_ROLES.map((r) => [r, hostOfRole(opts, r).ip])) as Record<ClusterRole, string>)
        : undefined,
    }),
  );
  const host = hostOfRole(opts, 'ui').ip;
  fs.writeFileSync(
    path.join(uiConfigDir, `${CONFIG_ENV}.yaml`),
    uiServerConfig({ temporalAddress: address, port: opts.uiPort, namespace: opts.namespace, host }),
  );
}

/** The server's arguments for one of its config folders under the data dir. */
function configArgs(opts: TemporalClusterOptions, dir: string): string[] {
  return ['--root', opts.dataDir, '--config', dir, '--env', CONFIG_ENV];
}

/** One server role as a supervised child, ready once it serves. */
function roleSpec(opts: TemporalClusterOptions, ports: ClusterPorts, address: string, role: ClusterRole): ChildSpec {
  return {
    name: `temporal-${role}`,
    async start(onSpawn) {
      const args = [...configArgs(opts, 'config'), '--allow-no-auth', 'start', '--service', role];
      const { netns, ip } = hostOfRole(opts, role);
      const p = startProcess(`temporal-${role}`, opts.binaries.server, args, {
        // On hosts the metrics listen on the role's own address, where Prometheus (root namespace) scrapes them.
        env: { ...temporalEnv(), ...roleMetricsEnv(role, opts.portOffset, ip) },
        logDir: opts.logDir,
        cwd: opts.dataDir,
        onSpawn,
        netns,
      });
      // The frontend serves when a client connects; history and matching once their gRPC port listens; the
      // internal worker serves no gRPC (it is a client of the frontend), so its membership port is the sign.
      const listens = (port: number) => (netns ? portAnswers(port, ip) : portInUse(port));
      const [port, serves] =
        role === 'frontend'
          ? [ports.frontend.grpc, () => temporalAnswers(address, 1000)]
          : role === 'worker'
            ? [ports.worker.membership, () => listens(ports.worker.membership)]
            : [ports[role].grpc, () => listens(ports[role].grpc)];
      await waitUntilReady(p, `the Temporal ${role} (port ${port})`, serves, START_TIMEOUT_MS);
      return p;
    },
  };
}

/** The Web UI server as a supervised child, ready once it answers. */
function uiSpec(opts: TemporalClusterOptions, uiUrl: string): ChildSpec {
  return {
    name: 'temporal-ui',
    async start(onSpawn) {
      const p = startProcess('temporal-ui', opts.binaries.ui, [...configArgs(opts, 'ui-config'), 'start'], {
        logDir: opts.logDir,
        cwd: opts.dataDir,
        onSpawn,
        netns: hostOfRole(opts, 'ui').netns,
      });
      await waitUntilReady(p, `the Temporal Web UI server (${uiUrl})`, () => uiAnswers(uiUrl), START_TIMEOUT_MS);
      return p;
    },
  };
}

/** The namespace registered when new, its search attributes as on any cluster. */
async function namespaceReady(address: string, namespace: string, log: (line: string) => void): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    await registerNamespace(connection, namespace);
    await ensureNamespaceReady(connection, { address, namespace }, log);
  } finally {
    await connection.close();
  }
}

/**
 * Prepares the official server on PostgreSQL (ports free, databases and schemas up to date, config files
 * written) and returns its processes as child specs, so the stack's supervisor starts and restarts each role.
 */
export async function prepareTemporalCluster(opts: TemporalClusterOptions): Promise<TemporalCluster> {
  const log = opts.log ?? (() => undefined);
  const ports = clusterPorts(opts.portOffset);
  // On hosts of their own the roles' ports are free by construction: the namespaces are new.
  if (!opts.hosts) await claimClusterPorts(ports, opts.uiPort);
  await setupClusterSchemas(opts.binaries.sqlTool, opts.databaseUrl, log);
  const address = `${hostOfRole(opts, 'frontend').ip}:${ports.frontend.grpc}`;
  const uiUrl = `http://${hostOfRole(opts, 'ui').ip}:${opts.uiPort}`;
  writeClusterConfig(opts, address);
  return {
    address,
    uiUrl,
    children: [...CLUSTER_ROLES.map((role) => roleSpec(opts, ports, address, role)), uiSpec(opts, uiUrl)],
    ready: () => namespaceReady(address, opts.namespace, log),
  };
}

/**
 * Starts the cluster without a supervisor (tests): every child at once, then the namespace. `onSpawn` sees each
 * process as it starts, so the caller can stop them all, also after a failed start.
 */
export async function startTemporalCluster(
  opts: TemporalClusterOptions & { onSpawn: (p: ManagedProcess) => void },
): Promise<{ address: string; uiUrl: string }> {
  const cluster = await prepareTemporalCluster(opts);
  await Promise.all(cluster.children.map((c) => c.start(opts.onSpawn)));
  await cluster.ready();
  return { address: cluster.address, uiUrl: cluster.uiUrl };
}

/** A fresh cluster has no namespace of its own (the dev server makes `default`; the real server does not). */
async function registerNamespace(connection: Connection, namespace: string): Promise<void> {
  try {
    await connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs('3 days'),
    });
  } catch (err) {
    // Already there: a restart on the same databases.
    if (grpcCode(err) !== GRPC.ALREADY_EXISTS) throw err;
  }
}

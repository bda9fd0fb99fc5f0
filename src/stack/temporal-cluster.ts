import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common';
import { GRPC, grpcCode } from '../temporal-errors';
import { ensureNamespaceReady } from '../temporal-namespace';
import { assertPortsFree } from './ports';
import { startProcess, waitUntilReady, type ManagedProcess } from './processes';
import {
  CLUSTER_DATABASES,
  CLUSTER_ROLES,
  clusterConfig,
  clusterPorts,
  dynamicConfigFile,
  sqlConnection,
} from './temporal-cluster-config';
import type { ServerBinaries } from './temporal-server-binary';
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
  databaseUrl: string;
  dataDir: string;
  logDir: string;
  namespace: string;
  portOffset?: number;
  historyShards?: number;
  onSpawn?: (p: ManagedProcess) => void;
  log?: (line: string) => void;
}

/**
 * Starts the official server as four processes (frontend, history, matching, worker) on PostgreSQL, registers
 * the namespace when new, and checks it like any existing cluster (search attributes registered on connect).
 * Resolves with the processes, in start order, once the frontend answers and the namespace is ready.
 */
export async function startTemporalCluster(
  opts: TemporalClusterOptions,
): Promise<{ address: string; processes: ManagedProcess[] }> {
  const log = opts.log ?? (() => undefined);
  const ports = clusterPorts(opts.portOffset);
  await assertPortsFree([
    ...CLUSTER_ROLES.flatMap((r) => [
      { port: ports[r].grpc, what: `Temporal ${r} gRPC` },
      { port: ports[r].membership, what: `Temporal ${r} membership` },
    ]),
    { port: ports.frontendHttp, what: 'Temporal frontend HTTP' },
  ]);
  await setupClusterSchemas(opts.binaries.sqlTool, opts.databaseUrl, log);
  const configDir = path.join(opts.dataDir, 'config');
  fs.mkdirSync(configDir, { recursive: true });
  const dynamicConfigPath = path.join(configDir, 'dynamic-config.yaml');
  fs.writeFileSync(dynamicConfigPath, dynamicConfigFile(DYNAMIC_CONFIG));
  fs.writeFileSync(
    path.join(configDir, `${CONFIG_ENV}.yaml`),
    clusterConfig({
      databaseUrl: opts.databaseUrl,
      portOffset: opts.portOffset,
      historyShards: opts.historyShards,
      dynamicConfigPath,
    }),
  );
  const processes = CLUSTER_ROLES.map((role) =>
    startProcess(
      `temporal-${role}`,
      opts.binaries.server,
      [
        '--root',
        opts.dataDir,
        '--config',
        'config',
        '--env',
        CONFIG_ENV,
        '--allow-no-auth',
        'start',
        '--service',
        role,
      ],
      { logDir: opts.logDir, cwd: opts.dataDir, onSpawn: opts.onSpawn },
    ),
  );
  const address = `127.0.0.1:${ports.frontend.grpc}`;
  await waitUntilReady(
    processes[0],
    `the Temporal frontend (${address})`,
    () => temporalAnswers(address, 1000),
    120_000,
  );
  const connection = await Connection.connect({ address });
  try {
    await registerNamespace(connection, opts.namespace);
    await ensureNamespaceReady(connection, { address, namespace: opts.namespace }, log);
  } finally {
    await connection.close();
  }
  return { address, processes };
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

/**
 * The official server's config for a production-shaped Temporal on this machine: default and visibility stores in
 * PostgreSQL, more than one history shard, and each role (frontend, history, matching, worker) its own process.
 * Derived from the server module's config/development-postgres12.yaml. The server reads YAML, and JSON is YAML,
 * so the config is written as JSON (no YAML library needed), under one comment line that has the server render it
 * as a Go template first: each role's metrics address comes from its own environment (see roleMetricsEnv).
 */
import { METRICS_PORTS } from './metrics-ports';

export const CLUSTER_ROLES = ['frontend', 'history', 'matching', 'worker'] as const;
export type ClusterRole = (typeof CLUSTER_ROLES)[number];

/** gRPC and membership ports per role, before the stack's port offset (the server's own defaults). */
const BASE_PORTS: Record<ClusterRole, { grpc: number; membership: number }> = {
  frontend: { grpc: 7233, membership: 6933 },
  history: { grpc: 7234, membership: 6934 },
  matching: { grpc: 7235, membership: 6935 },
  worker: { grpc: 7239, membership: 6939 },
};
const FRONTEND_HTTP_PORT = 7243;

export const DEFAULT_HISTORY_SHARDS = 4;

export interface ClusterConfigOptions {
  /** postgres://user:password@host:port/anything — the server gets its own two databases on that server. */
  databaseUrl: string;
  portOffset?: number;
  historyShards?: number;
  /** The dynamic config file (written beside the config by `dynamicConfigFile`). */
  dynamicConfigPath: string;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** With --hosts: each role binds its own host's address (and is found there), not loopback. */
  bindOnIP?: Record<ClusterRole, string>;
}

/** The databases the server uses on the given PostgreSQL, for its default and visibility stores. */
export const CLUSTER_DATABASES = { default: 'temporal', visibility: 'temporal_visibility' } as const;

export function clusterPorts(portOffset = 0): Record<ClusterRole, { grpc: number; membership: number }> & {
  frontendHttp: number;
} {
  const roles = Object.fromEntries(
    CLUSTER_ROLES.map((r) => [
      r,
      { grpc: BASE_PORTS[r].grpc + portOffset, membership: BASE_PORTS[r].membership + portOffset },
    ]),
  ) as Record<ClusterRole, { grpc: number; membership: number }>;
  return { ...roles, frontendHttp: FRONTEND_HTTP_PORT + portOffset };
}

/** Where a role serves its Prometheus metrics: 9402 plus its place in CLUSTER_ROLES, plus the stack's offset. */
export function roleMetricsPort(role: ClusterRole, portOffset = 0): number {
  return METRICS_PORTS.temporalRoles + CLUSTER_ROLES.indexOf(role) + portOffset;
}

/** The variable the official image's config template reads for the metrics address; ours reads it too. */
export const METRICS_ENV = 'PROMETHEUS_ENDPOINT';

/** One role process's metrics address, as its environment: four processes share one config file. */
export function roleMetricsEnv(role: ClusterRole, portOffset = 0, host = '127.0.0.1'): Record<string, string> {
  return { [METRICS_ENV]: `${host}:${roleMetricsPort(role, portOffset)}` };
}

/** The server renders a config file that has this comment as a Go template (sprig's functions included). */
const TEMPLATE_MARK = '# enable-template: the server renders this file as a Go template before reading it';

/** A template action giving an environment variable's value, or `fallback` (Go raw strings: JSON leaves them be). */
const fromEnv = (name: string, fallback: string) => `{{ env \`${name}\` | default \`${fallback}\` }}`;

/** Host, port and credentials of a PostgreSQL url, as the server's SQL plugin and the sql tool take them. */
export function sqlConnection(databaseUrl: string): { host: string; port: number; user: string; password: string } {
  const u = new URL(databaseUrl);
  if (!/^postgres(ql)?:$/.test(u.protocol)) throw new Error(`not a PostgreSQL url: ${u.protocol}//${u.host}`);
  return {
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
  };
}

function datastore(databaseUrl: string, databaseName: string, maxConns: number) {
  const c = sqlConnection(databaseUrl);
  return {
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `${c.host}:${c.port}`,
      connectProtocol: 'tcp',
      user: c.user,
      password: c.password,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  };
}

/** The server config, as text for `<config dir>/<env>.yaml`: a template (see TEMPLATE_MARK), so no `{{` in values. */
export function clusterConfig(opts: ClusterConfigOptions): string {
  if (`${opts.databaseUrl}${opts.dynamicConfigPath}`.includes('{{'))
    throw new Error("the server reads its config as a template: '{{' in the database url or a path is not allowed");
  const ports = clusterPorts(opts.portOffset);
  const shards = opts.historyShards ?? DEFAULT_HISTORY_SHARDS;
  if (!Number.isInteger(shards) || shards < 2)
    throw new Error(`history shards must be a whole number above 1, not ${shards}`);
  const config = {
    log: { stdout: true, level: opts.logLevel ?? 'warn' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: shards,
      datastores: {
        'postgres-default': datastore(opts.databaseUrl, CLUSTER_DATABASES.default, 20),
        'postgres-visibility': datastore(opts.databaseUrl, CLUSTER_DATABASES.visibility, 5),
      },
    },
    global: {
      // On hosts each role's bind address is the one it is known by, so no broadcast address is set.
      membership: { maxJoinDuration: '30s', ...(opts.bindOnIP ? {} : { broadcastAddress: '127.0.0.1' }) },
      // One config serves four processes: a fixed pprof port would clash, so it stays off.
      pprof: { port: 0 },
      // Each role's own, from its environment; without one, a free port (an empty address stops the server).
      metrics: { prometheus: { listenAddress: fromEnv(METRICS_ENV, '127.0.0.1:0'), handlerPath: '/metrics' } },
    },
    services: Object.fromEntries(
      CLUSTER_ROLES.map((r) => [
        r,
        {
          rpc: {
            grpcPort: ports[r].grpc,
            membershipPort: ports[r].membership,
            ...(opts.bindOnIP ? { bindOnIP: opts.bindOnIP[r] } : { bindOnLocalHost: true }),
            ...(r === 'frontend' ? { httpPort: ports.frontendHttp } : {}),
          },
        },
      ]),
    ),
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: `${opts.bindOnIP?.frontend ?? '127.0.0.1'}:${ports.frontend.grpc}`,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    dynamicConfigClient: { filepath: opts.dynamicConfigPath, pollInterval: '10s' },
  };
  return `${TEMPLATE_MARK}\n${JSON.stringify(config, null, 2)}\n`;
}

/** The dynamic config file's text: each key with one unconstrained value. */
export function dynamicConfigFile(values: Record<string, unknown>): string {
  return (
    JSON.stringify(Object.fromEntries(Object.entries(values).map(([k, v]) => [k, [{ value: v }]])), null, 2) + '\n'
  );
}

/** The official Web UI server's config: the cluster's frontend, its port, the UI on, nothing else changed. */
export function uiServerConfig(opts: {
  temporalAddress: string;
  port: number;
  namespace: string;
  host?: string;
}): string {
  const host = opts.host ?? '127.0.0.1';
  const config = {
    temporalGrpcAddress: opts.temporalAddress,
    host,
    port: opts.port,
    enableUi: true,
    defaultNamespace: opts.namespace,
    refreshInterval: '1m',
    notifyOnNewVersion: false,
    cors: { cookieInsecure: true, allowOrigins: [`http://${host}:${opts.port}`] },
  };
  return JSON.stringify(config, null, 2) + '\n';
}

import path from 'node:path';
import { DATA_DIR, type Endpoints } from '../config';
import { SERVICE_NAMES, SERVICES, type ServiceName } from '../services/catalog';
import { hostParts, planHostNetwork, type HostNetwork } from './hosts/host-plan';
import { metricsPlan } from './monitoring';

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
  /** With the cluster: each part in a network namespace of its own, on one private bridge (root, `ip`). */
  hosts?: boolean;
  log?: (line: string) => void;
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

function stackPorts(offset: number) {
  return {
    temporal: TEMPORAL_PORT + offset,
    ui: UI_PORT + offset,
    postgres: POSTGRES_PORT + offset,
    services: Object.fromEntries(SERVICE_NAMES.map((s) => [s, SERVICES[s].port + offset])) as Record<
      ServiceName,
      number
    >,
  };
}

type StackPorts = ReturnType<typeof stackPorts>;

/** A part's address: its own host's with --hosts, else loopback. */
export function hostOf(network: HostNetwork | undefined, part: string): string {
  return network?.parts[part]?.ip ?? '127.0.0.1';
}

function stackEndpoints(
  opts: StackOptions,
  ports: StackPorts,
  databaseUrl: string | undefined,
  network: HostNetwork | undefined,
): Endpoints {
  const host = (part: string) => hostOf(network, part);
  return {
    temporalAddress: opts.temporal?.address ?? `${host('temporal-frontend')}:${ports.temporal}`,
    namespace: opts.temporal?.namespace ?? 'default',
    // A cluster's Web UI is known only when the user names it (TEMPORAL_UI_URL); the dev server's is ours.
    temporalUiUrl: opts.temporal ? opts.temporal.uiUrl : `http://${host('temporal-ui')}:${ports.ui}`,
    databaseUrl,
    services: Object.fromEntries(SERVICE_NAMES.map((s) => [s, `http://${host(s)}:${ports.services[s]}`])) as Record<
      ServiceName,
      string
    >,
  };
}

/**
 * What a stack will be, from its options, before anything starts: its folders, ports, addresses and which
 * Temporal it runs. A missing Prometheus (with monitoring) is an error here already.
 */
export function planStack(opts: StackOptions) {
  const dataDir = opts.dataDir ?? DATA_DIR;
  const offset = opts.portOffset ?? portOffsetFromEnv();
  const databaseUrl = opts.databaseUrl ?? process.env.DATABASE_URL;
  const ports = stackPorts(offset);
  const cluster = !opts.temporal && opts.temporalServer === 'cluster';
  const workerCount = opts.worker ? (opts.workers ?? 1) : 0;
  const network = hostNetworkPlan(opts, cluster && !databaseUrl, offset, workerCount);
  return {
    opts,
    log: opts.log ?? ((line: string) => console.error(line)),
    dataDir,
    logDir: path.join(dataDir, 'logs'),
    offset,
    databaseUrl,
    ports,
    endpoints: stackEndpoints(opts, ports, databaseUrl, network),
    cluster,
    workerCount,
    network,
    metrics: metricsPlan({
      portOffset: offset,
      dataDir,
      devServer: !opts.temporal && !cluster,
      cluster,
      // On hosts each exporter listens on its part's own address, and Prometheus scrapes it there.
      hosts: network?.parts,
      executors: EXECUTORS,
      workers: workerCount,
      monitoring: opts.monitoring,
    }),
  };
}

/** The namespaces and addresses of a `--hosts` stack: the cluster's only, with nothing of its own elsewhere. */
function hostNetworkPlan(opts: StackOptions, ownCluster: boolean, offset: number, workerCount: number) {
  if (!opts.hosts) return undefined;
  if (!ownCluster) {
    throw new Error('hosts: only a stack that starts the cluster and its own PostgreSQL gives each part a host');
  }
  const executors = Array.from({ length: EXECUTORS }, (_, i) => `executor-${i + 1}`);
  return planHostNetwork(offset, hostParts(executors, workerNames(workerCount)));
}

export type StackPlan = ReturnType<typeof planStack>;

/** Every port the stack will listen on, with what listens there: each must be free before anything starts. */
export function portsToClaim(plan: StackPlan): Array<{ port: number; what: string }> {
  const { opts, ports } = plan;
  // With hosts, every part listens in a namespace of its own: only the stack's metrics (and Prometheus) are ours.
  if (plan.network)
    return plan.metrics.ports.filter((p) => p.port === plan.metrics.stackPort || p.what === 'Prometheus');
  return [
    ...(opts.temporal
      ? []
      : [
          { port: ports.temporal, what: 'Temporal gRPC' },
          { port: ports.ui, what: 'Temporal Web UI' },
        ]),
    ...(plan.databaseUrl ? [] : [{ port: ports.postgres, what: 'embedded PostgreSQL' }]),
    ...SERVICE_NAMES.map((s) => ({ port: ports.services[s], what: SERVICES[s].title })),
    ...plan.metrics.ports,
  ];
}

import { SERVICE_NAMES } from '../../services/catalog';
import { CLUSTER_ROLES } from '../temporal-cluster-config';

/** One part's host: its network namespace, its address on the bridge, and the bridge end of its veth pair. */
export interface HostAddress {
  netns: string;
  ip: string;
  veth: string;
}

/** The private network a `--hosts` stack builds: one bridge in the root namespace, one namespace per part. */
export interface HostNetwork {
  /** Every namespace and link this stack makes starts with it, so a stale one is found by name. */
  prefix: string;
  bridge: string;
  /** The bridge's own address: how the root namespace (the CLI, the tests) reaches every part. */
  bridgeIp: string;
  prefixLength: number;
  /** e.g. 10.77.0.0/24, allowed by PostgreSQL's pg_hba. */
  subnet: string;
  parts: Record<string, HostAddress>;
}

/** Addresses .2 upward go to the parts in this order; .1 is the bridge. */
export function hostParts(executors: string[], workers: string[]): string[] {
  return [
    'postgres',
    ...CLUSTER_ROLES.map((r) => `temporal-${r}`),
    'temporal-ui',
    ...SERVICE_NAMES,
    ...executors,
    ...workers,
  ];
}

/**
 * The address plan: 10.77.K.0/24 with K from the port offset (offset / 100, mod 256), so a test stack on its
 * own offset gets its own subnet and names beside a developer's (K 0 is named `gv-`, others `gvK-`).
 */
export function planHostNetwork(portOffset: number, parts: string[]): HostNetwork {
  const k = Math.floor(portOffset / 100) % 256;
  const prefix = k === 0 ? 'gv-' : `gv${k}-`;
  if (parts.length > 250) throw new Error(`${parts.length} hosts do not fit in one /24`);
  const base = `10.77.${k}`;
  return {
    prefix,
    bridge: `${prefix}br`,
    bridgeIp: `${base}.1`,
    prefixLength: 24,
    subnet: `${base}.0/24`,
    parts: Object.fromEntries(
      parts.map((part, i) => [part, { netns: `${prefix}${part}`, ip: `${base}.${i + 2}`, veth: `${prefix}v${i + 2}` }]),
    ),
  };
}

/** What stack.json records per part (AGREED: netns and ip). */
export function hostsRecord(network: HostNetwork): Record<string, { netns: string; ip: string }> {
  return Object.fromEntries(Object.entries(network.parts).map(([part, h]) => [part, { netns: h.netns, ip: h.ip }]));
}

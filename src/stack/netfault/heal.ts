import { setTimeout as delay } from 'node:timers/promises';
import { nsExec, nsTry } from './exec';
import type { NetHost } from './hosts';

/** TCP ports a host serves on its own address (loopback-only listeners aside), at most `max`. */
async function servedPorts(host: NetHost, max = 2): Promise<number[]> {
  const out = await nsExec(host.netns, 'ss', ['-ltnH']).catch(() => '');
  const ports = new Set<number>();
  for (const line of out.split('\n')) {
    const local = line.trim().split(/\s+/)[3] ?? '';
    const at = local.lastIndexOf(':');
    const addr = local.slice(0, at);
    if (at > 0 && ['0.0.0.0', '*', '[::]', host.ip].includes(addr)) ports.add(Number(local.slice(at + 1)));
  }
  return [...ports].slice(0, max);
}

/** A new TCP connection from one host's namespace to a port of the other's opens within a second. */
function connects(from: NetHost, to: NetHost, port: number): Promise<boolean> {
  return nsTry(from.netns, 'timeout', ['1', 'bash', '-c', `exec 3<>/dev/tcp/${to.ip}/${port}`], 3_000);
}

/** Some open connection from `self` to `peer` is still backing off its retransmissions (not flowing yet). */
async function backingOff(self: NetHost, peer: NetHost): Promise<boolean> {
  const out = await nsExec(self.netns, 'ss', ['-tniH', 'dst', peer.ip]).catch(() => '');
  return /\bbackoff:\d+/.test(out);
}

/**
 * The network between two hosts serves again: each side opens a new connection to a port the other serves (where
 * it serves any), and no open connection between them is still backing off retransmissions it sent into the fault.
 */
export async function pathServes(a: NetHost, b: NetHost): Promise<boolean> {
  for (const [from, to] of [
    [a, b],
    [b, a],
  ]) {
    const ports = await servedPorts(to);
    if (ports.length && !(await connects(from, to, ports[0]))) return false;
    if (await backingOff(from, to)) return false;
  }
  return true;
}

/** A Temporal call (the cluster's health) through the frontend at `address`, made from inside a host's namespace. */
export function temporalServesFrom(from: NetHost, address: string, temporalCli: string): Promise<boolean> {
  const args = ['operator', 'cluster', 'health', '--address', address, '--command-timeout', '2s'];
  return nsTry(from.netns, temporalCli, args, 5_000);
}

/**
 * What "serves again" means on a `--hosts` stack: the path between the two hosts serves, and when one of them is
 * the Temporal frontend, a Temporal call from the other one's side through it answers.
 */
export function stackServesAgain(temporalAddress: string | undefined, temporalCli: string | undefined) {
  return async (a: NetHost, b: NetHost, fault: { a: string; b: string }): Promise<boolean> => {
    if (!(await pathServes(a, b))) return false;
    const other = fault.a === 'temporal-frontend' ? b : fault.b === 'temporal-frontend' ? a : undefined;
    return !other || !temporalAddress || !temporalCli || temporalServesFrom(other, temporalAddress, temporalCli);
  };
}

/**
 * Waits until `serves()` holds, checked every 100 ms; resolves with the ms it took, or null when `timeoutMs`
 * passed or `cancelled()` said to stop.
 */
export async function timeUntil(
  serves: () => Promise<boolean>,
  timeoutMs: number,
  cancelled: () => boolean = () => false,
): Promise<number | null> {
  const began = Date.now();
  while (Date.now() - began < timeoutMs && !cancelled()) {
    if (await serves()) return Date.now() - began;
    await delay(100);
  }
  return null;
}

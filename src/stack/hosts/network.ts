import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { HostNetwork } from './host-plan';

const run = promisify(execFile);

/** Runs `ip` with its commands from stdin (one process for many changes); fails with ip's own message. */
async function ipBatch(lines: string[], netns?: string): Promise<void> {
  const args = [...(netns ? ['-n', netns] : []), '-batch', '-'];
  await new Promise<void>((resolve, reject) => {
    const child = execFile('ip', args, (err, _stdout, stderr) =>
      err ? reject(new Error(`ip ${args.join(' ')}: ${stderr.trim() || err.message}`)) : resolve(),
    );
    child.stdin?.end(lines.join('\n') + '\n');
  });
}

/** Names of the namespaces and links that start with `prefix` (what a stack that was killed left behind). */
async function leftovers(prefix: string): Promise<{ namespaces: string[]; links: string[] }> {
  const netns = await run('ip', ['netns', 'list']);
  const links = await run('ip', ['-o', 'link', 'show']);
  const namespaces = netns.stdout
    .split('\n')
    .map((l) => l.split(' ')[0])
    .filter((n) => n.startsWith(prefix));
  // `3: gv-br: <...>` or `4: gv-v2@if3: <...>`
  const names = links.stdout.split('\n').map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1] ?? '');
  return { namespaces, links: names.filter((n) => n.startsWith(prefix)) };
}

/**
 * Removes every namespace and link named with the network's prefix: this stack's, or those a killed stack on the
 * same subnet left. Deleting a veth end deletes its peer; the bridge goes last. Returns how many it removed.
 */
export async function removeHostNetwork(network: Pick<HostNetwork, 'prefix'>): Promise<number> {
  const { namespaces, links } = await leftovers(network.prefix);
  const bridgeLast = [...links].sort((a, b) => Number(a.endsWith('-br')) - Number(b.endsWith('-br')));
  for (const name of namespaces) await run('ip', ['netns', 'delete', name]).catch(() => undefined);
  // A namespace's deletion takes its veth peers along; those still listed are deleted here.
  const { links: still } = await leftovers(network.prefix);
  for (const name of bridgeLast.filter((l) => still.includes(l))) {
    await run('ip', ['link', 'delete', name]).catch(() => undefined);
  }
  return namespaces.length + links.length;
}

/**
 * The bridge with its address in the root namespace, and per part a namespace whose `eth0` (a veth pair's end)
 * has the part's address, with loopback up and nothing else: no route leaves the subnet.
 */
export async function createHostNetwork(network: HostNetwork): Promise<void> {
  const { bridge, bridgeIp, prefixLength } = network;
  const parts = Object.values(network.parts);
  await ipBatch([
    `link add ${bridge} type bridge`,
    `addr add ${bridgeIp}/${prefixLength} dev ${bridge}`,
    `link set ${bridge} up`,
    ...parts.flatMap((h) => [
      `netns add ${h.netns}`,
      `link add ${h.veth} type veth peer name eth0 netns ${h.netns}`,
      `link set ${h.veth} master ${bridge} up`,
    ]),
  ]);
  await Promise.all(
    parts.map((h) =>
      ipBatch([`addr add ${h.ip}/${prefixLength} dev eth0`, 'link set eth0 up', 'link set lo up'], h.netns),
    ),
  );
}

import fs from 'node:fs';
import net from 'node:net';
import { cmdlineOf, fdTargets } from '../proc';

/** Whether something already listens on host:port. */
export function portInUse(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(true));
    server.listen(port, host, () => server.close(() => resolve(false)));
  });
}

/** Whether something accepts a connection on host:port (a listener in another network namespace, with --hosts). */
export function portAnswers(port: number, host: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host, timeout: timeoutMs });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

/** Best effort on Linux: "pid 123 (node src/worker.ts)" for the process listening on the port. */
export function portOwner(port: number): string | undefined {
  try {
    const inodes = new Set<string>();
    for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
      if (!fs.existsSync(table)) continue;
      for (const line of fs.readFileSync(table, 'utf8').split('\n').slice(1)) {
        const cols = line.trim().split(/\s+/);
        // cols[1] is "ADDR:PORT" in hex, cols[3] the state (0A = LISTEN), cols[9] the socket inode.
        if (cols.length > 9 && cols[3] === '0A' && parseInt(cols[1].split(':')[1], 16) === port) inodes.add(cols[9]);
      }
    }
    for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      for (const target of fdTargets(pid)) {
        const m = /^socket:\[(\d+)\]$/.exec(target);
        if (m && inodes.has(m[1])) {
          const cmd = cmdlineOf(pid).split('\0').filter(Boolean).join(' ');
          return `pid ${pid} (${cmd.slice(0, 120)})`;
        }
      }
    }
  } catch {
    // not Linux, or /proc unreadable: the caller says the port is taken without naming the owner
  }
  return undefined;
}

/** Throws one clear error listing every port that is already taken, and by whom. */
export async function assertPortsFree(ports: Array<{ port: number; what: string }>): Promise<void> {
  const taken: string[] = [];
  for (const { port, what } of ports) {
    if (await portInUse(port)) {
      const owner = portOwner(port);
      taken.push(`port ${port} (${what}) is already in use${owner ? ` by ${owner}` : ''}`);
    }
  }
  if (taken.length) {
    throw new PortInUseError(
      `${taken.join('; ')}. Stop that process (or the other 'npm run stack') and try again, ` +
        `or point this run at the running stack with TEMPORAL_ADDRESS.`,
    );
  }
}

export class PortInUseError extends Error {
  override name = 'PortInUseError';
}

import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { cmdlineOf, isAlive } from '../proc';

/** The processes a stack started, recorded so a later start can stop what a killed stack left behind. */
interface PidFile {
  owner: number;
  processes: Array<{ pid: number; cmdline: string }>;
}

export class PidRegistry {
  private readonly file: string;
  private readonly entries: PidFile['processes'] = [];

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'stack.pids.json');
  }

  add(pid: number | undefined): void {
    if (!pid) return;
    this.entries.push({ pid, cmdline: cmdlineOf(pid) });
    fs.writeFileSync(this.file, JSON.stringify({ owner: process.pid, processes: this.entries } satisfies PidFile));
  }

  clear(): void {
    fs.rmSync(this.file, { force: true });
  }

  /**
   * Stops processes recorded by a stack whose own process is gone (killed with SIGKILL, say), checking
   * each still runs the recorded command so a reused pid is never touched. Returns how many it stopped.
   */
  async reapOrphans(): Promise<number> {
    if (!fs.existsSync(this.file)) return 0;
    let recorded: PidFile;
    try {
      recorded = JSON.parse(fs.readFileSync(this.file, 'utf8')) as PidFile;
    } catch {
      this.clear();
      return 0;
    }
    if (isAlive(recorded.owner) && recorded.owner !== process.pid) return 0;
    const orphans = recorded.processes.filter((p) => isAlive(p.pid) && p.cmdline && cmdlineOf(p.pid) === p.cmdline);
    for (const p of orphans) process.kill(p.pid, 'SIGTERM');
    const deadline = Date.now() + 10_000;
    while (orphans.some((p) => isAlive(p.pid)) && Date.now() < deadline) await delay(100);
    for (const p of orphans.filter((o) => isAlive(o.pid))) process.kill(p.pid, 'SIGKILL');
    this.clear();
    return orphans.length;
  }
}

/** The postmaster's pid from its data directory, if it runs. */
export function postmasterPid(dataDir: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return isAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

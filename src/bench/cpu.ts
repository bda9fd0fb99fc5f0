import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/** A process to account for: its own CPU, and with `tree` that of every process below it too. */
export interface CpuRoot {
  name: string;
  pid: number;
  tree: boolean;
}

interface ProcStat {
  ppid: number;
  /** user + system time in clock ticks. */
  ticks: number;
}

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  return ticksPerSecond;
}

/** Every process's parent and CPU ticks, from /proc (Linux). */
function readProcs(): Map<number, ProcStat> {
  const procs = new Map<number, ProcStat>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let text: string;
    try {
      text = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // ended while we looked
    }
    // The command name is in parentheses and may hold spaces: the fields start after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // After the name: state(3) ppid(4) … utime(14) stime(15), so index field N at N - 3.
    procs.set(Number(entry), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
  }
  return procs;
}

/**
 * CPU seconds used so far by each root (with its descendants when `tree`), by root name; roots of one name
 * add up. Ended processes are not counted, so take two snapshots around the work and subtract.
 */
export function cpuSeconds(roots: CpuRoot[]): Record<string, number> {
  const procs = readProcs();
  const children = new Map<number, number[]>();
  for (const [pid, p] of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), pid]);
  const treeTicks = (pid: number): number =>
    (procs.get(pid)?.ticks ?? 0) + (children.get(pid) ?? []).reduce((n, c) => n + treeTicks(c), 0);
  const out: Record<string, number> = {};
  for (const r of roots) {
    const ticks = r.tree ? treeTicks(r.pid) : (procs.get(r.pid)?.ticks ?? 0);
    out[r.name] = (out[r.name] ?? 0) + ticks / clockTicks();
  }
  return out;
}

/** What each root used between two snapshots, per unit of work (e.g. per flow), in milliseconds. */
export function cpuMsPer(before: Record<string, number>, after: Record<string, number>, units: number) {
  return Object.fromEntries(
    Object.keys(after).map((name) => [name, Math.round((1000 * (after[name] - (before[name] ?? 0))) / units)]),
  );
}

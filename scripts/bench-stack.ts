import fs from 'node:fs';
import path from 'node:path';
import { DATA_DIR } from '../src/config';
import { parentPid } from '../src/proc';
import { startStack } from '../src/stack/stack';

/**
 * `npm run bench:stack`: how long `npm run stack` takes to all-healthy from nothing (cold: no data,
 * no workflow bundle) and again with its data (warm), and the whole stack's memory at idle.
 * Runs on ports 20000 above the defaults, in its own data folder.
 */
const BENCH_DIR = path.join(DATA_DIR, 'bench-stack');
const PORT_OFFSET = 20_000;
const say = (line: string) => process.stderr.write(`${line}\n`);

/** Resident memory (MiB) of a process tree, from /proc. */
function treeRssMiB(rootPids: number[]): number {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    const ppid = parentPid(Number(entry));
    if (ppid !== undefined) children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  let kib = 0;
  const seen = new Set<number>();
  const visit = (pid: number) => {
    if (seen.has(pid)) return;
    seen.add(pid);
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) kib += Number(m[1]);
    } catch {
      return;
    }
    for (const child of children.get(pid) ?? []) visit(child);
  };
  rootPids.forEach(visit);
  return Math.round(kib / 1024);
}

async function timedStart(label: string) {
  const t0 = performance.now();
  const stack = await startStack({ dataDir: BENCH_DIR, portOffset: PORT_OFFSET, worker: true, log: () => undefined });
  const seconds = (performance.now() - t0) / 1000;
  say(`${label}: all healthy in ${seconds.toFixed(1)} s`);
  return { stack, seconds };
}

async function main(): Promise<void> {
  fs.rmSync(BENCH_DIR, { recursive: true, force: true });
  // The worker caches its workflow bundle under GEMINIVIDEO_DATA_DIR: point it here so "cold" bundles too.
  process.env.GEMINIVIDEO_DATA_DIR = BENCH_DIR;
  const cold = await timedStart('cold');
  await cold.stack.stop();
  const warm = await timedStart('warm');
  // Idle: let start-up work settle, then sample memory a few times and keep the peak.
  let peak = 0;
  for (let i = 0; i < 5; i++) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const pids = JSON.parse(fs.readFileSync(path.join(BENCH_DIR, 'stack.pids.json'), 'utf8')).processes.map(
      (p: { pid: number }) => p.pid,
    );
    peak = Math.max(peak, treeRssMiB(pids));
  }
  await warm.stack.stop();
  console.log(
    JSON.stringify(
      { cold_start_seconds: round(cold.seconds), warm_start_seconds: round(warm.seconds), idle_peak_rss_mib: peak },
      null,
      2,
    ),
  );
}

const round = (n: number) => Math.round(n * 10) / 10;

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

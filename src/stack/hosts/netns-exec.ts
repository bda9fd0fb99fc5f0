import fs from 'node:fs';

/**
 * The command line that runs `command` inside network namespace `netns`, or unchanged without one. `ip netns exec`
 * enters the namespace and then execs the command in the same process, so the pid a spawn reports is the
 * program's own: the supervisor's signals and stack.json's pids reach it directly.
 */
export function inNetns(netns: string | undefined, command: string, args: string[]): [string, string[]] {
  return netns ? ['ip', ['netns', 'exec', netns, command, ...args]] : [command, args];
}

/**
 * Blocks (briefly: `ip` enters the namespace and execs within milliseconds) until `pid` runs the program rather than
 * `ip`, so whoever records its command line right after the spawn (the supervisor, the pid registry, chaos's check
 * against a reused pid) records the program's.
 */
export function awaitNetnsExec(pid: number | undefined, timeoutMs = 2000): void {
  if (!pid) return;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    let cmdline: string;
    try {
      cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      return; // already gone: its exit reports it
    }
    // Empty for a moment while the exec swaps the process's memory.
    if (cmdline && !cmdline.startsWith('ip\0netns\0exec\0')) return;
    Atomics.wait(pause, 0, 0, 1);
  }
}

import { setTimeout as delay } from 'node:timers/promises';
import { startProcess, waitUntilReady } from '../../src/stack/processes';
import type { ChildSpec } from '../../src/stack/supervisor';

/** A script that says it is up, then idles: a stand-in for any of the stack's processes. */
export const SERVE_SCRIPT = "console.log('up'); setInterval(() => {}, 1000);";

/** A supervised child running a tiny node `script` (logging to `logDir`); ready once it printed 'up'. */
export function nodeChild(name: string, logDir: string, script = SERVE_SCRIPT): ChildSpec {
  return {
    name,
    async start(onSpawn) {
      const p = startProcess(name, process.execPath, ['-e', script], { logDir, onSpawn });
      await waitUntilReady(p, name, async () => p.output().includes('up'), 10_000);
      return p;
    },
  };
}

/** Resolves once `check` holds, polling every 20 ms; fails after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await delay(20);
  }
}

import path from 'node:path';
import { PROJECT_ROOT } from '../config';
import { startProcess, waitUntilReady, type ManagedProcess } from './processes';
import type { ChildSpec } from './supervisor';

/** Generous: on a busy two-core machine a tsx child takes far longer than its usual few seconds. */
const START_TIMEOUT_MS = 180_000;

/**
 * GV_CPU_PROF_DIR=DIR profiles every node child (V8's sampling profiler, `--cpu-prof`): each writes a
 * `.cpuprofile` under DIR/NAME/ when it exits cleanly, e.g. when the stack stops. For finding where the CPU goes
 * (scripts/cpu-profile-summary.ts reads them; docs/benchmarks.md).
 */
function cpuProfileFlags(name: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const dir = env.GV_CPU_PROF_DIR;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${path.join(path.resolve(dir), name)}`] : [];
}

/** A supervised node process running one of the project's TypeScript entry points (through tsx). */
export function nodeChildSpec(opts: {
  name: string;
  script: string;
  args?: string[];
  env: NodeJS.ProcessEnv;
  logDir: string;
  /** How error messages name it, e.g. "service ml-service". */
  what?: string;
  /** Polled until true: the child serves. */
  ready: (p: ManagedProcess) => Promise<boolean>;
  timeoutMs?: number;
  /** The part's network namespace, with --hosts. */
  netns?: string;
}): ChildSpec {
  return {
    name: opts.name,
    async start(onSpawn) {
      const p = startProcess(
        opts.name,
        process.execPath,
        [...cpuProfileFlags(opts.name), '--import', 'tsx', path.join(PROJECT_ROOT, opts.script), ...(opts.args ?? [])],
        { env: opts.env, logDir: opts.logDir, cwd: PROJECT_ROOT, onSpawn, netns: opts.netns },
      );
      await waitUntilReady(p, opts.what ?? opts.name, () => opts.ready(p), opts.timeoutMs ?? START_TIMEOUT_MS);
      return p;
    },
  };
}

/** Ready once the process has printed `text` (since it started). */
export const printed = (text: string) => async (p: ManagedProcess) => p.output().includes(text);

import { setTimeout as delay } from 'node:timers/promises';
import { cmdlineOf } from '../proc';
import type { ChaosKill, ChaosSection } from '../result/schema';
import { SERVICE_NAMES } from '../services/catalog';
import { hashSeed, pick, seededRng } from '../stats/random';
import type { ChildStatus } from './stack-file';
import { EXECUTORS } from './stack';

/** The signals chaos may send. */
export const CHAOS_SIGNALS = ['SIGKILL', 'SIGTERM', 'SIGINT'] as const;

/** A validated `--chaos` plan: whom to kill (in turn, or at random), how often, with which signal. */
export interface ChaosPlan {
  text: string;
  /** `random`, or the targets killed in turn. */
  targets: 'random' | string[];
  everyMs: number;
  signal: (typeof CHAOS_SIGNALS)[number];
}

const EXECUTOR_NAMES = Array.from({ length: EXECUTORS }, (_, i) => `executor-${i + 1}`);
/** What `random` picks among: the services and the SafeExecutors. */
export const RANDOM_TARGETS: readonly string[] = [...SERVICE_NAMES, ...EXECUTOR_NAMES];
/** What `kill=` may name: those, and the worker, PostgreSQL (its postmaster) and the Temporal dev server. */
export const CHAOS_TARGETS: readonly string[] = [...RANDOM_TARGETS, 'worker', 'postgres', 'temporal'];

export interface ChaosOptions {
  plan: ChaosPlan;
  seed: number;
  /** The supervised processes of the stack this project started: its supervisor's, or its stack.json. */
  processes: () => ChildStatus[];
  say: (line: string) => void;
  /** Called at each kill, and again when the target serves again, with every kill so far. */
  onChange?: (section: ChaosSection) => void;
  /** How long a target may take to serve again before its kill is recorded as not recovered. */
  healthyTimeoutMs?: number;
  /** How long stop() waits for the last targets to come back. */
  stopWaitMs?: number;
}

export interface ChaosRun {
  /** Stops killing, waits for the last kills' targets to come back (bounded), and returns every kill. */
  stop(): Promise<ChaosSection>;
}

/** The pid chaos kills for a child: PostgreSQL's postmaster rather than its wrapper, else the process. */
function victimPid(p: ChildStatus): number | undefined {
  if (p.inner_pid) return cmdlineOf(p.inner_pid).includes('postgres') ? p.inner_pid : undefined;
  // The pid must still run the command it was started with: a reused pid is never touched.
  return p.pid && p.cmdline && cmdlineOf(p.pid) === p.cmdline ? p.pid : undefined;
}

/**
 * Kills processes of a local stack on the plan's schedule: one target per tick, in turn or at random (seeded),
 * only ones that are running, and measures how long each takes until its supervisor has it serving again.
 */
export function startChaos(opts: ChaosOptions): ChaosRun {
  const rng = seededRng(hashSeed(`chaos:${opts.seed}`));
  const cancel = new AbortController();
  const began = Date.now();
  const kills: ChaosKill[] = [];
  const recoveries: Array<Promise<void>> = [];
  let turn = 0;
  let givenUp = false;
  const section = (): ChaosSection => ({ spec: opts.plan.text, seed: opts.seed, kills: kills.map((k) => ({ ...k })) });

  const chooseTarget = (running: ChildStatus[]): ChildStatus | undefined => {
    const { targets } = opts.plan;
    if (targets === 'random')
      return (
        pick(
          rng,
          running.filter((p) => RANDOM_TARGETS.includes(p.name)),
        ) ?? undefined
      );
    for (let i = 0; i < targets.length; i++) {
      const found = running.find((p) => p.name === targets[(turn + i) % targets.length]);
      if (found) {
        turn += i + 1;
        return found;
      }
    }
    return undefined;
  };

  const waitHealthy = async (kill: ChaosKill, killedAt: number): Promise<void> => {
    const deadline = killedAt + (opts.healthyTimeoutMs ?? 120_000);
    while (Date.now() < deadline && !givenUp) {
      const p = opts.processes().find((c) => c.name === kill.target);
      // Serving again under a new pid (the postmaster's, for PostgreSQL: its wrapper's pid says nothing).
      if (p?.state === 'running' && (p.inner_pid ?? p.pid) !== kill.pid) {
        kill.healthy_after_ms = Date.now() - killedAt;
        opts.say(`chaos: ${kill.target} serves again ${(kill.healthy_after_ms / 1000).toFixed(1)} s after its kill`);
        opts.onChange?.(section());
        return;
      }
      if (p?.state === 'failed') break;
      await delay(100);
    }
    opts.say(`chaos: ${kill.target} was not serving again within the time allowed`);
  };

  const loop = async () => {
    for (;;) {
      try {
        await delay(opts.plan.everyMs, undefined, { signal: cancel.signal });
      } catch {
        return;
      }
      const running = opts.processes().filter((p) => p.state === 'running' && victimPid(p));
      const target = chooseTarget(running);
      const pid = target && victimPid(target);
      if (!target || !pid) {
        opts.say('chaos: no target is running right now; skipping this kill');
        continue;
      }
      const killedAt = Date.now();
      try {
        process.kill(pid, opts.plan.signal);
      } catch (err) {
        opts.say(`chaos: could not kill ${target.name} (pid ${pid}): ${(err as Error).message}`);
        continue;
      }
      const kill: ChaosKill = {
        id: kills.length + 1,
        at: new Date(killedAt).toISOString(),
        offset_seconds: Math.round((killedAt - began) / 100) / 10,
        target: target.name,
        signal: opts.plan.signal,
        pid,
        healthy_after_ms: null,
      };
      kills.push(kill);
      opts.say(`chaos: ${opts.plan.signal} to ${target.name} (pid ${pid}) at +${kill.offset_seconds} s`);
      opts.onChange?.(section());
      recoveries.push(waitHealthy(kill, killedAt));
    }
  };
  const running = loop();

  let stopped: Promise<ChaosSection> | undefined;
  const stop = async (): Promise<ChaosSection> => {
    cancel.abort();
    await running;
    // No new kills; the last targets get a while to come back, so their records are complete.
    const waited = new AbortController();
    await Promise.race([
      Promise.all(recoveries),
      delay(opts.stopWaitMs ?? 30_000, undefined, { signal: waited.signal }).catch(() => undefined),
    ]);
    waited.abort();
    givenUp = true;
    return section();
  };
  return { stop: () => (stopped ??= stop()) };
}

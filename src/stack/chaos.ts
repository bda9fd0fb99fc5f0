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

/** One chaos run's state: the kills so far, whose turn it is, and whether it has given up waiting. */
class Chaos {
  readonly rng: () => number;
  readonly cancel = new AbortController();
  readonly began = Date.now();
  readonly kills: ChaosKill[] = [];
  readonly recoveries: Array<Promise<void>> = [];
  turn = 0;
  givenUp = false;

  constructor(readonly opts: ChaosOptions) {
    this.rng = seededRng(hashSeed(`chaos:${opts.seed}`));
  }

  section(): ChaosSection {
    return { spec: this.opts.plan.text, seed: this.opts.seed, kills: this.kills.map((k) => ({ ...k })) };
  }

  /** The next target among the running: at random (seeded), or the next named one in turn. */
  chooseTarget(running: ChildStatus[]): ChildStatus | undefined {
    const { targets } = this.opts.plan;
    if (targets === 'random') {
      return pick(
        this.rng,
        running.filter((p) => RANDOM_TARGETS.includes(p.name)),
      );
    }
    for (let i = 0; i < targets.length; i++) {
      const found = running.find((p) => p.name === targets[(this.turn + i) % targets.length]);
      if (found) {
        this.turn += i + 1;
        return found;
      }
    }
    return undefined;
  }

  /** Waits until the killed target serves again (recorded in its kill), or the time allowed runs out. */
  async waitHealthy(kill: ChaosKill, killedAt: number): Promise<void> {
    const { opts } = this;
    const deadline = killedAt + (opts.healthyTimeoutMs ?? 120_000);
    while (Date.now() < deadline && !this.givenUp) {
      const p = opts.processes().find((c) => c.name === kill.target);
      // Serving again under a new pid (the postmaster's, for PostgreSQL: its wrapper's pid says nothing).
      if (p?.state === 'running' && (p.inner_pid ?? p.pid) !== kill.pid) {
        kill.healthy_after_ms = Date.now() - killedAt;
        opts.say(`chaos: ${kill.target} serves again ${(kill.healthy_after_ms / 1000).toFixed(1)} s after its kill`);
        opts.onChange?.(this.section());
        return;
      }
      if (p?.state === 'failed') break;
      await delay(100);
    }
    opts.say(`chaos: ${kill.target} was not serving again within the time allowed`);
  }

  /** One tick: kills the chosen running target, records it, and starts watching for its return. */
  killOne(): void {
    const { opts } = this;
    const running = opts.processes().filter((p) => p.state === 'running' && victimPid(p));
    const target = this.chooseTarget(running);
    const pid = target && victimPid(target);
    if (!target || !pid) {
      opts.say('chaos: no target is running right now; skipping this kill');
      return;
    }
    const killedAt = Date.now();
    try {
      process.kill(pid, opts.plan.signal);
    } catch (err) {
      opts.say(`chaos: could not kill ${target.name} (pid ${pid}): ${(err as Error).message}`);
      return;
    }
    const kill: ChaosKill = {
      id: this.kills.length + 1,
      at: new Date(killedAt).toISOString(),
      offset_seconds: Math.round((killedAt - this.began) / 100) / 10,
      target: target.name,
      signal: opts.plan.signal,
      pid,
      healthy_after_ms: null,
    };
    this.kills.push(kill);
    opts.say(`chaos: ${opts.plan.signal} to ${target.name} (pid ${pid}) at +${kill.offset_seconds} s`);
    opts.onChange?.(this.section());
    this.recoveries.push(this.waitHealthy(kill, killedAt));
  }

  /** A kill every `everyMs` until cancelled. */
  async loop(): Promise<void> {
    for (;;) {
      try {
        await delay(this.opts.plan.everyMs, undefined, { signal: this.cancel.signal });
      } catch {
        return;
      }
      this.killOne();
    }
  }

  /** Stops killing, gives the last targets a while to come back (so their records are complete), returns all. */
  async stop(running: Promise<void>): Promise<ChaosSection> {
    this.cancel.abort();
    await running;
    const waited = new AbortController();
    await Promise.race([
      Promise.all(this.recoveries),
      delay(this.opts.stopWaitMs ?? 30_000, undefined, { signal: waited.signal }).catch(() => undefined),
    ]);
    waited.abort();
    this.givenUp = true;
    return this.section();
  }
}

/**
 * Kills processes of a local stack on the plan's schedule: one target per tick, in turn or at random (seeded),
 * only ones that are running, and measures how long each takes until its supervisor has it serving again.
 */
export function startChaos(opts: ChaosOptions): ChaosRun {
  const chaos = new Chaos(opts);
  const running = chaos.loop();
  let stopped: Promise<ChaosSection> | undefined;
  return { stop: () => (stopped ??= chaos.stop(running)) };
}

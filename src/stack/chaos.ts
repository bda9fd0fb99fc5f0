import { setTimeout as delay } from 'node:timers/promises';
import { STACK_FILE } from '../config';
import { cmdlineOf } from '../proc';
import type { ChaosKill, ChaosSection } from '../result/schema';
import { hashSeed, pick, seededRng } from '../stats/random';
import {
  chaosPlanProblem,
  planNames,
  RANDOM_TARGETS,
  type ChaosAction,
  type ChaosPlan,
  type ChaosSignal,
} from './chaos/plan';
import { targetMatches } from './chaos/targets';
import { NetFaults, type NetFaultsOptions } from './netfault/faults';
import { stackServesAgain } from './netfault/heal';
import { readStackNet, type NetHosts } from './netfault/hosts';
import type { ChildStatus } from './stack-file';
import { findTemporalCli } from './temporal-cli';

export {
  CHAOS_SIGNALS,
  CHAOS_TARGETS,
  RANDOM_TARGETS,
  chaosPlanProblem,
  type ChaosAction,
  type ChaosPlan,
  type ChaosSignal,
} from './chaos/plan';

export interface ChaosOptions {
  plan: ChaosPlan;
  seed: number;
  /** The supervised processes of the stack this project started: its supervisor's, or its stack.json. */
  processes: () => ChildStatus[];
  /** The stack's hosts, for network faults (default: the `hosts` of .data/stack.json). */
  hosts?: () => NetHosts | undefined;
  /** Where clients reach Temporal, for the heal check (default: .data/stack.json's, when `hosts` is not given). */
  temporalAddress?: string;
  /**
   * What "serves again" means after a network fault (default: new connections open both ways, none still backs
   * off, and with the frontend on one side, a Temporal call from the other side answers).
   */
  servesAgain?: NetFaultsOptions['servesAgain'];
  say: (line: string) => void;
  /** Called at each kill or fault, and again when the stack serves again, with everything so far. */
  onChange?: (section: ChaosSection) => void;
  /** How long a target (or a fault's path) may take to serve again before it is recorded as not recovered. */
  healthyTimeoutMs?: number;
  /** How long stop() waits for the last targets to come back. */
  stopWaitMs?: number;
}

export interface ChaosRun {
  /** Stops killing, removes every network fault, waits for the stack to come back (bounded), returns the record. */
  stop(): Promise<ChaosSection>;
}

/** The hosts chaos uses by default: those of the running stack's stack.json. */
export const stackHosts = (): NetHosts | undefined => readStackNet(STACK_FILE).hosts;

/** The default "serves again" after a fault: the path serves, and Temporal answers across it. */
function defaultServesAgain(temporalAddress: string | undefined): NetFaultsOptions['servesAgain'] {
  let cli: string | undefined;
  try {
    cli = findTemporalCli();
  } catch {
    cli = undefined; // a TEMPORAL_CLI_PATH that does not run: the path check alone
  }
  return stackServesAgain(temporalAddress, cli);
}

/** The pid chaos kills for a child: PostgreSQL's postmaster rather than its wrapper, else the process. */
function victimPid(p: ChildStatus): number | undefined {
  if (p.inner_pid) return cmdlineOf(p.inner_pid).includes('postgres') ? p.inner_pid : undefined;
  // The pid must still run the command it was started with: a reused pid is never touched.
  return p.pid && p.cmdline && cmdlineOf(p.pid) === p.cmdline ? p.pid : undefined;
}

/** One chaos run's state: the kills and faults so far, whose turn it is, and whether it has given up waiting. */
class Chaos {
  readonly rng: () => number;
  readonly cancel = new AbortController();
  readonly began = Date.now();
  readonly kills: ChaosKill[] = [];
  readonly recoveries: Array<Promise<void>> = [];
  readonly net?: NetFaults;
  turn = 0;
  givenUp = false;

  constructor(readonly opts: ChaosOptions) {
    this.rng = seededRng(hashSeed(`chaos:${opts.seed}`));
    if (planNames(opts.plan).hosts.length) {
      this.net = new NetFaults({
        hosts: (opts.hosts ?? stackHosts)() ?? {},
        began: this.began,
        say: opts.say,
        onChange: () => opts.onChange?.(this.section()),
        healTimeoutMs: opts.healthyTimeoutMs,
        servesAgain: opts.servesAgain ?? defaultServesAgain(opts.temporalAddress),
      });
    }
  }

  section(): ChaosSection {
    const s: ChaosSection = {
      spec: this.opts.plan.text,
      seed: this.opts.seed,
      kills: this.kills.map((k) => ({ ...k })),
    };
    return this.net ? { ...s, faults: this.net.faults.map((f) => ({ ...f })) } : s;
  }

  /** The next target among the running: at random (seeded), or the next named one in turn (a group: any member). */
  chooseTarget(running: ChildStatus[], targets: 'random' | string[]): ChildStatus | undefined {
    if (targets === 'random') {
      return pick(
        this.rng,
        running.filter((p) => RANDOM_TARGETS.includes(p.name)),
      );
    }
    for (let i = 0; i < targets.length; i++) {
      const members = running.filter((p) => targetMatches(targets[(this.turn + i) % targets.length], p.name));
      if (members.length) {
        this.turn += i + 1;
        return pick(this.rng, members);
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

  /** Kills the chosen running target, records the exact process, and starts watching for its return. */
  killOne(targets: 'random' | string[], signal: ChaosSignal): void {
    const { opts } = this;
    const running = opts.processes().filter((p) => p.state === 'running' && victimPid(p));
    const target = this.chooseTarget(running, targets);
    const pid = target && victimPid(target);
    if (!target || !pid) {
      opts.say('chaos: no target is running right now; skipping this kill');
      return;
    }
    const killedAt = Date.now();
    try {
      process.kill(pid, signal);
    } catch (err) {
      opts.say(`chaos: could not kill ${target.name} (pid ${pid}): ${(err as Error).message}`);
      return;
    }
    const kill: ChaosKill = {
      id: this.kills.length + 1,
      at: new Date(killedAt).toISOString(),
      offset_seconds: Math.round((killedAt - this.began) / 100) / 10,
      target: target.name,
      signal,
      pid,
      healthy_after_ms: null,
    };
    this.kills.push(kill);
    opts.say(`chaos: ${signal} to ${target.name} (pid ${pid}) at +${kill.offset_seconds} s`);
    opts.onChange?.(this.section());
    this.recoveries.push(this.waitHealthy(kill, killedAt));
  }

  /** Waits `ms` (or not at all when negative); false when chaos was stopped first. */
  async wait(ms: number): Promise<boolean> {
    try {
      await delay(Math.max(0, ms), undefined, { signal: this.cancel.signal });
      return true;
    } catch {
      return false;
    }
  }

  /** A kill every `everyMs` until cancelled. */
  async loop(): Promise<void> {
    const { targets, everyMs, signal } = this.opts.plan;
    if (!targets || !everyMs) return;
    while (await this.wait(everyMs)) this.killOne(targets, signal);
  }

  /** Every scripted action at its offset; a fault stays in force for its time, or until chaos stops. */
  async script(): Promise<void> {
    const stale = this.net?.clearStale();
    await Promise.all((this.opts.plan.actions ?? []).map((a) => this.act(a, stale)));
  }

  private async act(a: ChaosAction, stale: Promise<void> | undefined): Promise<void> {
    const what = a.kind === 'kill' ? `kill ${a.target}` : `${a.kind} ${a.a} <-> ${a.b}`;
    if (!(await this.wait(a.atMs - (Date.now() - this.began)))) {
      this.opts.say(`chaos: stopped before +${a.atMs / 1000} s, so '${what}' was not done`);
      return;
    }
    if (a.kind === 'kill') return this.killOne([a.target], a.signal);
    await stale;
    const net = this.net!;
    try {
      const fault = await net.open({ kind: a.kind, a: a.a, b: a.b, rate: a.rate, window: a.forMs > 0 });
      await this.wait(a.forMs);
      await net.close(fault);
    } catch (err) {
      this.opts.say(`chaos: could not ${what}: ${(err as Error).message}`);
    }
  }

  /** Stops, removes every fault, gives the last targets a while to come back (so records are complete). */
  async stop(running: Promise<unknown>): Promise<ChaosSection> {
    this.cancel.abort();
    await running;
    const waitMs = this.opts.stopWaitMs ?? 30_000;
    const waited = new AbortController();
    await Promise.race([
      Promise.all([...this.recoveries, this.net?.settle(waitMs)]),
      delay(waitMs, undefined, { signal: waited.signal }).catch(() => undefined),
    ]);
    waited.abort();
    this.givenUp = true;
    await this.net?.settle(0);
    return this.section();
  }
}

/**
 * Kills processes of a local stack on the plan's schedule (one target per tick, in turn or at random, seeded; only
 * running ones) and at its scripted offsets, puts its network faults between hosts in place and removes them, and
 * measures how long each takes until the stack serves again.
 */
export function startChaos(opts: ChaosOptions): ChaosRun {
  const hosts = planNames(opts.plan).hosts.length ? (opts.hosts ?? stackHosts)() : undefined;
  const problem = chaosPlanProblem(opts.plan, opts.processes(), hosts);
  if (problem) throw new Error(`--chaos: ${problem}`);
  // Hosts and address come from one stack: a caller who names the hosts names the address too.
  const temporalAddress = opts.temporalAddress ?? (opts.hosts ? undefined : readStackNet(STACK_FILE).temporalAddress);
  const chaos = new Chaos({ ...opts, hosts: () => hosts, temporalAddress });
  const running = Promise.all([chaos.loop(), chaos.script()]);
  let stopped: Promise<ChaosSection> | undefined;
  return { stop: () => (stopped ??= chaos.stop(running)) };
}

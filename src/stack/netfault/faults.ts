import type { ChaosFault } from '../../result/schema';
import { pathServes, timeUntil } from './heal';
import type { NetHost, NetHosts } from './hosts';
import { applySide, clearNamespace, clearOwnSync, type NetFaultRequest } from './rules';

/** A fault between two named hosts. */
export interface NetFaultSpec extends NetFaultRequest {
  a: string;
  b: string;
}

export interface NetFaultsOptions {
  /** stack.json's `hosts` (or a test's own): the names faults may use. */
  hosts: NetHosts;
  /** Offsets are counted from here (chaos's start); default: now. */
  began?: number;
  say?: (line: string) => void;
  /** Called whenever a fault started, ended or healed. */
  onChange?: () => void;
  /** How long a fault's path may take to serve again after its end (default 120 s). */
  healTimeoutMs?: number;
  /** What "serves again" means; by default the path between the two hosts serves (pathServes). */
  servesAgain?: (a: NetHost, b: NetHost, fault: ChaosFault) => Promise<boolean>;
}

type Undo = () => Promise<unknown>;

// Namespaces with a fault in force, cleared synchronously should the process exit before it removed them.
const inForce = new Map<string, number>();
let exitHookSet = false;
function hold(netns: string, delta: 1 | -1): void {
  inForce.set(netns, (inForce.get(netns) ?? 0) + delta);
  if (!inForce.get(netns)) inForce.delete(netns);
  if (!exitHookSet) {
    exitHookSet = true;
    process.on('exit', () => [...inForce.keys()].forEach(clearOwnSync));
  }
}

const DETAIL: Record<NetFaultSpec['kind'], (s: NetFaultSpec) => string> = {
  partition: () => 'no packets either way (iptables DROP in both namespaces)',
  slow: (s) => `rate ${s.rate ?? '64kbit'} each way (htb class on the link, no netem here)`,
  reset: (s) => `open TCP connections cut (ss -K both sides)${s.window ? ', new ones reset until its end' : ''}`,
};

/**
 * Network faults between hosts in their own namespaces: each one's rules go only in the two hosts' namespaces,
 * are removed at its end (and as the process exits), and its heal is timed from its end.
 */
export class NetFaults {
  readonly faults: ChaosFault[] = [];
  private readonly undo = new Map<number, { undo: Undo[]; nets: string[] }>();
  private readonly heals: Array<Promise<void>> = [];
  private readonly began: number;
  private givenUp = false;

  constructor(private readonly opts: NetFaultsOptions) {
    this.began = opts.began ?? Date.now();
  }

  /** The host a name stands for, or an error naming the hosts there are. */
  host(name: string): NetHost {
    const h = this.opts.hosts[name];
    if (!h) throw new Error(`no host '${name}' in the stack's hosts (${Object.keys(this.opts.hosts).join(', ')})`);
    return h;
  }

  /** Removes whatever an earlier run left in any of the hosts' namespaces. */
  async clearStale(): Promise<void> {
    for (const netns of new Set(Object.values(this.opts.hosts).map((h) => h.netns))) await clearNamespace(netns);
  }

  private offset(at: number): number {
    return Math.round((at - this.began) / 100) / 10;
  }

  /** Puts a fault in place between two hosts, both sides, and records it (in force until close()). */
  async open(spec: NetFaultSpec): Promise<ChaosFault> {
    const [a, b] = [this.host(spec.a), this.host(spec.b)];
    const id = this.faults.length + 1;
    const undo: Undo[] = [];
    const nets = [a.netns, b.netns];
    nets.forEach((n) => hold(n, 1));
    const startedAt = Date.now();
    try {
      undo.push(await applySide(a, b, id, spec));
      undo.push(await applySide(b, a, id, spec));
    } catch (err) {
      await Promise.all(undo.map((u) => u()));
      nets.forEach((n) => hold(n, -1));
      throw err;
    }
    this.undo.set(id, { undo, nets });
    const fault: ChaosFault = {
      id,
      kind: spec.kind,
      a: spec.a,
      b: spec.b,
      at: new Date(startedAt).toISOString(),
      offset_seconds: this.offset(startedAt),
      end_offset_seconds: null,
      detail: DETAIL[spec.kind](spec),
      healed_after_ms: null,
    };
    this.faults.push(fault);
    this.opts.say?.(`chaos: ${spec.kind} ${spec.a} <-> ${spec.b} at +${fault.offset_seconds} s (${fault.detail})`);
    this.opts.onChange?.();
    return fault;
  }

  /** Removes a fault, records its end, and starts timing until the stack serves again across it. */
  async close(fault: ChaosFault): Promise<void> {
    const held = this.undo.get(fault.id);
    if (!held) return;
    this.undo.delete(fault.id);
    await Promise.all(held.undo.map((u) => u()));
    held.nets.forEach((n) => hold(n, -1));
    const endedAt = Date.now();
    fault.end_offset_seconds = this.offset(endedAt);
    this.opts.say?.(`chaos: ${fault.kind} ${fault.a} <-> ${fault.b} removed at +${fault.end_offset_seconds} s`);
    this.opts.onChange?.();
    this.heals.push(this.timeHeal(fault));
  }

  private async timeHeal(fault: ChaosFault): Promise<void> {
    const [a, b] = [this.host(fault.a), this.host(fault.b)];
    const serves = this.opts.servesAgain ?? ((x: NetHost, y: NetHost) => pathServes(x, y));
    const ms = await timeUntil(
      () => serves(a, b, fault),
      this.opts.healTimeoutMs ?? 120_000,
      () => this.givenUp,
    );
    fault.healed_after_ms = ms;
    this.opts.say?.(
      ms === null
        ? `chaos: ${fault.a} <-> ${fault.b} was not serving again within the time allowed`
        : `chaos: ${fault.a} <-> ${fault.b} serves again ${(ms / 1000).toFixed(1)} s after the ${fault.kind} ended`,
    );
    this.opts.onChange?.();
  }

  /** Removes every fault still in force. */
  async closeAll(): Promise<void> {
    await Promise.all(this.faults.filter((f) => this.undo.has(f.id)).map((f) => this.close(f)));
  }

  /** Removes every fault, waits (at most `maxWaitMs`) for their heals to be timed, then stops timing. */
  async settle(maxWaitMs: number): Promise<ChaosFault[]> {
    await this.closeAll();
    const timer = new Promise<void>((resolve) => setTimeout(resolve, maxWaitMs).unref());
    await Promise.race([Promise.all(this.heals), timer]);
    this.givenUp = true;
    await Promise.all(this.heals);
    return this.faults.map((f) => ({ ...f }));
  }
}

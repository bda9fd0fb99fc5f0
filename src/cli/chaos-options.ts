import { z } from 'zod';
import {
  CHAOS_SIGNALS as SIGNALS,
  CHAOS_TARGETS,
  chaosPlanProblem,
  stackHosts,
  type ChaosAction,
  type ChaosPlan,
} from '../stack/chaos';
import { isTargetName } from '../stack/chaos/targets';
import type { NetHosts } from '../stack/netfault/hosts';
import { NETFAULT_KINDS, type NetFaultKind } from '../stack/netfault/rules';
import type { ChildStatus } from '../stack/stack-file';
import { UsageError } from './errors';

export type { ChaosPlan };

const UNITS = { ms: 1, s: 1000, m: 60_000 } as const;
/** A duration such as 500ms, 20s or 2m, within [minMs, maxMs]. */
const duration = (key: string, minMs: number, maxMs: number, range: string) =>
  z
    .string()
    .regex(/^\d+(\.\d+)?(ms|s|m)$/, `${key}= takes a duration such as 500ms, 20s or 2m`)
    .transform((t) => {
      const [, n, unit] = /^([\d.]+)(ms|s|m)$/.exec(t)!;
      return Number(n) * UNITS[unit as keyof typeof UNITS];
    })
    .refine((ms) => ms >= minMs && ms <= maxMs, `${key}= must be between ${range}`);
const DURATIONS = {
  every: duration('every', 1000, 3_600_000, '1s and 60m'),
  at: duration('at', 0, 3_600_000, '0s and 60m'),
  for: duration('for', 1000, 3_600_000, '1s and 60m'),
};
const rateSchema = z
  .string()
  .regex(/^[1-9]\d*(kbit|mbit)$/, 'rate= takes a rate such as 64kbit or 2mbit')
  .refine((r) => parseInt(r, 10) * (r.endsWith('mbit') ? 1000 : 1) >= 8, 'rate= must be at least 8kbit');

const HEADS = ['random', 'kill', ...NETFAULT_KINDS] as const;
type Head = (typeof HEADS)[number];
type Fail = (why: string) => UsageError;
const SHAPES =
  "write 'kill=NAME[,NAME…] every=20s', 'random every=15s', 'kill=NAME at=10s' or 'partition|slow|reset=A,B at=10s for=20s', clauses joined by ';'";

/** One clause's parts: what it does (its head and value) and its options, each given once. */
function clauseParts(clause: string, bad: Fail): { head: Head; value: string; opts: Map<string, string> } {
  let head: Head | undefined;
  let value = '';
  const opts = new Map<string, string>();
  for (const token of clause.split(/\s+/).filter(Boolean)) {
    const eq = token.indexOf('=');
    const [key, val] = eq >= 0 ? [token.slice(0, eq), token.slice(eq + 1)] : [token, ''];
    if ((HEADS as readonly string[]).includes(key) && (key === 'random') === eq < 0) {
      if (head) throw bad(`give either random or kill= (or one fault) per clause, once`);
      [head, value] = [key as Head, val];
    } else if (['every', 'at', 'for', 'signal', 'rate'].includes(key) && eq >= 0) {
      if (opts.has(key)) throw bad(`${key}= given twice`);
      opts.set(key, val);
    } else {
      throw bad(`unknown part '${token}'; ${SHAPES} [signal=SIGTERM]`);
    }
  }
  if (!head) throw bad("say whom to kill: 'kill=NAME[,NAME…]' or 'random' (or a fault: 'partition=A,B')");
  return { head, value, opts };
}

function durationOf(key: keyof typeof DURATIONS, text: string | undefined, bad: Fail): number | undefined {
  if (text === undefined) return undefined;
  const parsed = DURATIONS[key].safeParse(text);
  if (!parsed.success) throw bad(parsed.error.issues[0].message);
  return parsed.data;
}

function signalOf(text: string | undefined, bad: Fail): ChaosPlan['signal'] {
  if (text === undefined) return 'SIGKILL';
  const s = text.toUpperCase().replace(/^(SIG)?/, 'SIG');
  if (!(SIGNALS as readonly string[]).includes(s)) throw bad(`signal= must be one of ${SIGNALS.join(', ')}`);
  return s as ChaosPlan['signal'];
}

/** Options a clause of this kind does not take are refused by name. */
function refuse(opts: Map<string, string>, keys: string[], head: string, bad: Fail): void {
  const extra = keys.find((k) => opts.has(k));
  if (extra) throw bad(`${head} takes no ${extra}=`);
}

function killNames(value: string, bad: Fail): string[] {
  const names = value.split(',').filter(Boolean);
  const unknown = names.find((n) => !isTargetName(n));
  if (!names.length || unknown !== undefined) {
    throw bad(`unknown target '${unknown ?? ''}'; valid targets are ${CHAOS_TARGETS.join(', ')}`);
  }
  return names;
}

/** A fault clause: two distinct hosts, when (default at once) and for how long. */
function faultAction(kind: NetFaultKind, value: string, opts: Map<string, string>, bad: Fail): ChaosAction {
  const hosts = value.split(',');
  const unknown = hosts.find((h) => !isTargetName(h) || h === 'temporal');
  if (hosts.length !== 2 || unknown !== undefined || hosts[0] === hosts[1]) {
    throw bad(
      `${kind}= takes two different hosts, e.g. ${kind}=worker-1,temporal-frontend` +
        (unknown ? ` ('${unknown}' is none)` : ''),
    );
  }
  refuse(opts, kind === 'slow' ? ['every', 'signal'] : ['every', 'signal', 'rate'], `${kind}=`, bad);
  const forMs = durationOf('for', opts.get('for'), bad);
  if (forMs === undefined && kind !== 'reset') throw bad(`say how long: '${kind}=${value} for=20s'`);
  let rate: string | undefined;
  if (opts.has('rate')) {
    const parsed = rateSchema.safeParse(opts.get('rate'));
    if (!parsed.success) throw bad(parsed.error.issues[0].message);
    rate = parsed.data;
  }
  const atMs = durationOf('at', opts.get('at'), bad) ?? 0;
  return { kind, atMs, forMs: forMs ?? 0, a: hosts[0], b: hosts[1], ...(rate ? { rate } : {}) };
}

type Periodic = Pick<ChaosPlan, 'targets' | 'everyMs' | 'signal'>;

/** One clause: a pace of kills (periodic), or scripted actions. */
function parseClause(clause: string, bad: Fail): Periodic | ChaosAction[] {
  const { head, value, opts } = clauseParts(clause, bad);
  if (head !== 'random' && head !== 'kill') return [faultAction(head, value, opts, bad)];
  const targets = head === 'random' ? 'random' : killNames(value, bad);
  refuse(opts, ['for', 'rate'], head === 'random' ? 'random' : 'kill=', bad);
  const signal = signalOf(opts.get('signal'), bad);
  const everyMs = durationOf('every', opts.get('every'), bad);
  const atMs = durationOf('at', opts.get('at'), bad);
  if (everyMs !== undefined && atMs !== undefined) throw bad('give every= (a pace) or at= (once), not both');
  if (atMs !== undefined && targets !== 'random') {
    return targets.map((target) => ({ kind: 'kill', atMs, target, signal }));
  }
  if (everyMs === undefined) throw bad("say how often: 'every=20s' (or once: 'kill=NAME at=10s')");
  return { targets, everyMs, signal };
}

/**
 * `--chaos` as clauses joined by `;`: at most one pace of kills (`kill=ml-service,video-agent every=20s` or
 * `random every=15s`, optionally `signal=SIGTERM`; SIGKILL by default) and any scripted actions: `kill=NAME at=10s`,
 * `partition=A,B at=10s for=20s`, `slow=A,B for=30s [rate=64kbit]`, `reset=A,B at=40s [for=5s]`. Every problem is
 * a UsageError naming it and what is valid.
 */
export function parseChaos(text: string): ChaosPlan {
  const bad: Fail = (why) => new UsageError(`bad --chaos '${text}': ${why}`);
  let periodic: Periodic | undefined;
  const actions: ChaosAction[] = [];
  const clauses = text.split(';').map((c) => c.trim());
  for (const clause of clauses.length > 1 ? clauses.filter(Boolean) : clauses) {
    const parsed = parseClause(clause, bad);
    if (Array.isArray(parsed)) actions.push(...parsed);
    else if (periodic) throw bad('give one pace of kills (every=) at most; scripted actions take at=');
    else periodic = parsed;
  }
  const plan: ChaosPlan = { text: text.trim(), ...(periodic ?? { signal: 'SIGKILL' }) };
  return actions.length ? { ...plan, actions: actions.sort((x, y) => x.atMs - y.atMs) } : plan;
}

/**
 * Refuses, before anything starts, a plan that names what the running stack lacks: a process (`kill=worker-3`
 * with two workers) or a host (faults on a stack without `--hosts`).
 */
export function checkChaosTargets(
  plan: ChaosPlan,
  processes: ChildStatus[],
  hosts: NetHosts | undefined = plan.actions?.some((a) => a.kind !== 'kill') ? stackHosts() : undefined,
): void {
  const problem = chaosPlanProblem(plan, processes, hosts);
  if (problem) throw new UsageError(`--chaos: ${problem}`);
}

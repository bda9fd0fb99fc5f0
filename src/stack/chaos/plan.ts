import type { ChildStatus } from '../stack-file';
import { SERVICE_NAMES } from '../../services/catalog';
import type { NetHosts } from '../netfault/hosts';
import type { NetFaultKind } from '../netfault/rules';
import { EXECUTORS } from '../stack';
import { missingTargets, TARGET_FORMS } from './targets';

/** The signals chaos may send. */
export const CHAOS_SIGNALS = ['SIGKILL', 'SIGTERM', 'SIGINT'] as const;
export type ChaosSignal = (typeof CHAOS_SIGNALS)[number];

/** One scripted step: a kill, or a network fault between two hosts, at an offset from chaos's start. */
export type ChaosAction =
  | { kind: 'kill'; atMs: number; target: string; signal: ChaosSignal }
  | { kind: NetFaultKind; atMs: number; forMs: number; a: string; b: string; rate?: string };

/**
 * A validated `--chaos` plan: kills on a pace (whom: in turn or at random; how often; which signal) and/or
 * scripted actions at given offsets (one kill each, or a network fault for a while).
 */
export interface ChaosPlan {
  text: string;
  /** `random`, or the targets killed in turn (absent when only scripted actions were asked for). */
  targets?: 'random' | string[];
  everyMs?: number;
  signal: ChaosSignal;
  actions?: ChaosAction[];
}

const EXECUTOR_NAMES = Array.from({ length: EXECUTORS }, (_, i) => `executor-${i + 1}`);
/** What `random` picks among: the services and the SafeExecutors. */
export const RANDOM_TARGETS: readonly string[] = [...SERVICE_NAMES, ...EXECUTOR_NAMES];
/** The name forms `kill=` may use: services, executor-N, worker(-N), postgres, temporal, temporal-<role>. */
export const CHAOS_TARGETS: readonly string[] = TARGET_FORMS;

/** The kill targets a plan names (periodic and scripted) and the hosts its faults name. */
export function planNames(plan: ChaosPlan): { kills: string[]; hosts: string[] } {
  const acts = plan.actions ?? [];
  return {
    kills: [
      ...(Array.isArray(plan.targets) ? plan.targets : []),
      ...acts.flatMap((a) => (a.kind === 'kill' ? [a.target] : [])),
    ],
    hosts: acts.flatMap((a) => (a.kind === 'kill' ? [] : [a.a, a.b])),
  };
}

/** What the running stack lacks of what the plan names, as one line; undefined when it has everything. */
export function chaosPlanProblem(
  plan: ChaosPlan,
  processes: ChildStatus[],
  hosts: NetHosts | undefined,
): string | undefined {
  const { kills, hosts: faultHosts } = planNames(plan);
  const hostNames = hosts && Object.keys(hosts);
  return missingTargets(
    kills,
    faultHosts,
    processes.map((p) => p.name),
    hostNames,
  );
}

import { SERVICE_NAMES } from '../../services/catalog';
import { CLUSTER_ROLES } from '../temporal-cluster-config';

/** The cluster's server roles as chaos names them (temporal-frontend …), and its Web UI server. */
export const ROLE_TARGETS: readonly string[] = [...CLUSTER_ROLES.map((r) => `temporal-${r}`), 'temporal-ui'];

/** Every name form chaos knows, as written in messages, with what matches it. */
const FORMS: ReadonlyArray<[string, RegExp]> = [
  ...SERVICE_NAMES.map((s): [string, RegExp] => [s, new RegExp(`^${s}$`)]),
  ['executor-N', /^executor-[1-9]\d*$/],
  ['worker', /^worker$/],
  ['worker-N', /^worker-[1-9]\d*$/],
  ['postgres', /^postgres$/],
  ['temporal', /^temporal$/],
  ...ROLE_TARGETS.map((r): [string, RegExp] => [r, new RegExp(`^${r}$`)]),
];

/** The forms `kill=` and the network faults accept (N a number from 1). */
export const TARGET_FORMS: readonly string[] = FORMS.map(([form]) => form);

/** Whether a name has a form chaos knows (whether the running stack has it is checked when chaos starts). */
export function isTargetName(name: string): boolean {
  return FORMS.some(([, re]) => re.test(name));
}

/**
 * Whether a process is one a target names: the process itself, or for a group, any of its members. `worker` is
 * every worker (worker, or worker-1 … worker-N); `temporal` is the dev server, or on a cluster any server role.
 */
export function targetMatches(target: string, processName: string): boolean {
  if (target === processName) return true;
  if (target === 'worker') return /^worker-[1-9]\d*$/.test(processName);
  if (target === 'temporal') return CLUSTER_ROLES.some((r) => processName === `temporal-${r}`);
  return false;
}

/** What the running stack lacks of what a plan names, as one line; undefined when it has everything. */
export function missingTargets(
  kills: readonly string[],
  faultHosts: readonly string[],
  processNames: readonly string[],
  hostNames: readonly string[] | undefined,
): string | undefined {
  const absent = kills.find((t) => !processNames.some((p) => targetMatches(t, p)));
  if (absent !== undefined) {
    return `kill=${absent} names no process of the running stack (it has ${processNames.join(', ') || 'none'})`;
  }
  if (!faultHosts.length) return undefined;
  if (!hostNames?.length) {
    return "network faults need a stack whose parts have hosts of their own ('npm run stack -- --temporal cluster --hosts'); this one has none";
  }
  const noHost = faultHosts.find((h) => !hostNames.includes(h));
  return noHost === undefined ? undefined : `no host '${noHost}' in the running stack (it has ${hostNames.join(', ')})`;
}

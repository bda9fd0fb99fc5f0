import { z } from 'zod';
import { hostsPrerequisiteMissing } from '../stack/hosts/preflight';
import { TEMPORAL_SERVER_KINDS, type TemporalServerKind } from '../stack/stack';
import { UsageError } from './errors';

/** More worker processes than this on one machine only compete for its cores. */
export const MAX_WORKERS = 16;

const schema = z.object({
  temporal: z.enum(TEMPORAL_SERVER_KINDS, {
    error: (issue) => `--temporal must be one of ${TEMPORAL_SERVER_KINDS.join(', ')}, not '${String(issue.input)}'`,
  }),
  workers: z
    .string()
    .regex(/^\d+$/, '--workers must be a whole number')
    .transform(Number)
    .refine((n) => n >= 1 && n <= MAX_WORKERS, `--workers must be between 1 and ${MAX_WORKERS}`),
});

export interface StackChoice {
  temporalServer: TemporalServerKind;
  workers: number;
  /** Set only with --hosts. */
  hosts?: true;
}

/** `--hosts`: the cluster's parts on hosts of their own, which needs the cluster, its own PostgreSQL, root and `ip`. */
function checkHosts(temporal: TemporalServerKind, env: NodeJS.ProcessEnv): void {
  if (temporal !== 'cluster') {
    throw new UsageError('--hosts gives each part of the official cluster a host of its own: add --temporal cluster');
  }
  const named = ['DATABASE_URL', 'TEMPORAL_DATABASE_URL'].find((v) => env[v]);
  if (named) throw new UsageError(`--hosts starts a PostgreSQL on a host of its own, but ${named} names one: unset it`);
  const missing = hostsPrerequisiteMissing();
  if (missing) throw new UsageError(missing);
}

/**
 * `stack --temporal dev|cluster --workers N [--hosts]`; a cluster of our own and TEMPORAL_ADDRESS exclude each
 * other.
 */
export function parseStackOptions(
  raw: { temporal: string; workers: string; hosts?: boolean },
  env = process.env,
): StackChoice {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new UsageError(parsed.error.issues[0].message);
  if (parsed.data.temporal === 'cluster' && env.TEMPORAL_ADDRESS) {
    throw new UsageError(
      `--temporal cluster starts a Temporal of its own, but TEMPORAL_ADDRESS=${env.TEMPORAL_ADDRESS} names one to use: give one or the other`,
    );
  }
  if (raw.hosts) checkHosts(parsed.data.temporal, env);
  const choice = { temporalServer: parsed.data.temporal, workers: parsed.data.workers };
  return raw.hosts ? { ...choice, hosts: true } : choice;
}

import { z } from 'zod';
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
}

/** `stack --temporal dev|cluster --workers N`; a cluster of our own and TEMPORAL_ADDRESS exclude each other. */
export function parseStackOptions(raw: { temporal: string; workers: string }, env = process.env): StackChoice {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new UsageError(parsed.error.issues[0].message);
  if (parsed.data.temporal === 'cluster' && env.TEMPORAL_ADDRESS) {
    throw new UsageError(
      `--temporal cluster starts a Temporal of its own, but TEMPORAL_ADDRESS=${env.TEMPORAL_ADDRESS} names one to use: give one or the other`,
    );
  }
  return { temporalServer: parsed.data.temporal, workers: parsed.data.workers };
}

import { z } from 'zod';
import type { SetRequest } from '../workflows/stress-run/control';
import { CONTROL_LIMITS } from '../workflows/stress-run/control';
import { UsageError } from './errors';

export const CONTROL_ACTIONS = ['pause', 'resume', 'stop', 'set'] as const;
export type ControlAction = (typeof CONTROL_ACTIONS)[number];

/** What `control` sends: the action, to the run (or suite, or schedule) the id names. */
export interface ControlRequest {
  id: string;
  action: ControlAction;
  /** `set` only: the settings given. */
  settings?: SetRequest;
}

/** `control`'s flags as commander gives them. */
export interface RawControl {
  rate?: string;
  concurrency?: string;
  maxInFlight?: string;
}

const USAGE = 'control <run-id> pause|resume|stop|set [--rate R | --concurrency C | --max-in-flight M]';

const rate = z
  .string()
  .regex(/^\d+(\.\d+)?(\/s)?$/, '--rate must be a positive number of flows per second, e.g. 5 or 5/s')
  .transform((t) => Number(t.replace('/s', '')))
  .refine((r) => r > 0 && r <= CONTROL_LIMITS.rate, `--rate must be above 0 and at most ${CONTROL_LIMITS.rate}`);

const whole = (flag: string) =>
  z
    .string()
    .regex(/^\d+$/, `${flag} must be a whole number`)
    .transform(Number)
    .refine((n) => n >= 1 && n <= CONTROL_LIMITS.inFlight, `${flag} must be between 1 and ${CONTROL_LIMITS.inFlight}`);

const schema = z.object({
  id: z.string(`give the run id: ${USAGE}`).trim().min(1, `give the run id: ${USAGE}`),
  action: z.enum(CONTROL_ACTIONS, `give the action, pause, resume, stop or set: ${USAGE}`),
  rate: rate.optional(),
  concurrency: whole('--concurrency').optional(),
  max_in_flight: whole('--max-in-flight').optional(),
});

/** Validates `control`'s arguments; every problem is a UsageError naming it. */
export function parseControlOptions(id: unknown, action: unknown, raw: RawControl): ControlRequest {
  const parsed = schema.safeParse({
    id,
    action,
    rate: raw.rate,
    concurrency: raw.concurrency,
    max_in_flight: raw.maxInFlight,
  });
  if (!parsed.success) throw new UsageError(parsed.error.issues[0].message);
  const { id: runId, action: verb, ...given } = parsed.data;
  const settings = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as SetRequest;
  const named = Object.keys(settings).length;
  if (verb === 'set' && !named) throw new UsageError('set needs --rate, --concurrency or --max-in-flight');
  if (verb !== 'set' && named)
    throw new UsageError(`${verb} takes no setting: --rate, --concurrency and --max-in-flight go with set`);
  return verb === 'set' ? { id: runId, action: verb, settings } : { id: runId, action: verb };
}

import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { FLOW_NAMES, FLOWS, isFlowName, type FlowName } from '../flows/catalog';
import { loadFaultProfile } from '../services/shared/load-fault-profile';
import type { FaultProfile } from '../contracts/fault-profile';
import { plannedStarts } from '../load/arrivals';
import type { LoadShape } from '../load/shape';
import { parseChaos, type ChaosPlan } from './chaos-options';
import { UsageError } from './errors';
import { parseLoadShape, type RawLoad } from './load-options';
import { parseThreshold, type Threshold } from '../result/thresholds';

const int = (name: string, min: number, max: number) =>
  z
    .string()
    .regex(/^-?\d+$/, `--${name} must be a whole number`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `--${name} must be between ${min} and ${max}`);

const rawSchema = z.object({
  count: int('count', 1, 1_000_000).optional(),
  concurrency: int('concurrency', 1, 10_000).optional(),
  timeScale: z
    .string()
    .regex(/^\d+(\.\d+)?(e-?\d+)?$/i, '--time-scale must be a positive number')
    .transform(Number)
    .refine((n) => n > 0 && n <= 1000, '--time-scale must be above 0 and at most 1000')
    .optional(),
  seed: int('seed', 0, 2 ** 31 - 1).optional(),
  faults: z.string().min(1).default('default'),
  json: z.string().min(1).optional(),
  threshold: z.array(z.string()).default([]),
  chaos: z.string().optional(),
  localActivities: z.boolean().optional(),
  monitoring: z.boolean().optional(),
});

export interface StartOptions {
  flow: FlowName;
  count: number;
  concurrency: number;
  timeScale: number;
  seed: number;
  faultsName: string;
  faults: FaultProfile;
  json?: string;
  thresholds: Threshold[];
  /** How the load is offered; undefined for the closed batch of `count` at `concurrency`. */
  load?: LoadShape;
  /** Processes of the local stack to kill during the run. */
  chaos?: ChaosPlan;
  /** The quick steps as local activities (see SimSettings.localActivities). */
  localActivities?: boolean;
  /** Prometheus in the stack the run brings up when none runs (the running stack's own otherwise). */
  monitoring?: boolean;
}

/** Validates start-workflow's input; every problem is a UsageError naming it and the valid choices. */
export function parseStartOptions(flow: string | undefined, raw: Record<string, unknown>): StartOptions {
  if (!flow || !isFlowName(flow)) {
    throw new UsageError(`unknown flow '${flow ?? ''}': valid flows are ${FLOW_NAMES.join(', ')}`);
  }
  const parsed = rawSchema.safeParse(raw);
  if (!parsed.success) throw new UsageError(parsed.error.issues[0].message);
  const o = parsed.data;
  let faults: FaultProfile;
  try {
    faults = loadFaultProfile(o.faults);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const steps: readonly string[] = FLOWS[flow].steps;
  const thresholds = o.threshold.map((t) => {
    let threshold;
    try {
      threshold = parseThreshold(t);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const step = threshold.metric.includes('.') ? threshold.metric.split('.')[0] : undefined;
    if (step && !steps.includes(step)) {
      throw new UsageError(`bad threshold '${t}': ${flow} has no step '${step}'; its steps are ${steps.join(', ')}`);
    }
    return threshold;
  });
  const load = parseLoadShape(raw as RawLoad, { count: o.count, concurrency: o.concurrency, thresholds });
  if (o.json && !fs.existsSync(path.dirname(path.resolve(o.json)))) {
    throw new UsageError(`--json ${o.json}: folder ${path.dirname(path.resolve(o.json))} does not exist`);
  }
  return {
    flow,
    // An open model's count is its planned starts; the breakpoint search finds its own.
    count: load?.model === 'open' ? plannedStarts(load) : load ? 1 : (o.count ?? FLOWS[flow].defaults.count),
    concurrency:
      load && load.model !== 'closed' ? load.max_in_flight : (o.concurrency ?? FLOWS[flow].defaults.concurrency),
    timeScale: o.timeScale ?? FLOWS[flow].defaults.timeScale,
    seed: o.seed ?? 42,
    faultsName: o.faults,
    faults,
    json: o.json,
    thresholds,
    ...(load ? { load } : {}),
    chaos: o.chaos === undefined ? undefined : parseChaos(o.chaos),
    ...(o.localActivities ? { localActivities: true } : {}),
    ...(o.monitoring ? { monitoring: true } : {}),
  };
}

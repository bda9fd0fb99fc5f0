import { z } from 'zod';
import { plannedStarts } from '../load/arrivals';
import type { LoadShape, Stage } from '../load/shape';
import { UsageError } from './errors';
import type { Threshold } from '../result/thresholds';

/** Load flags as the command line gives them (strings), before validation. */
export interface RawLoad {
  rate?: string;
  duration?: string;
  stages?: string;
  maxInFlight?: string;
  findBreakpoint?: boolean;
  startRate?: string;
  stepFactor?: string;
  hold?: string;
  maxSteps?: string;
}

/** Defaults of the open model and the breakpoint search (documented in docs/load-shapes.md). */
export const LOAD_DEFAULTS = {
  maxInFlight: 500,
  startRate: 1,
  stepFactor: 1.5,
  holdMs: 30_000,
  maxSteps: 10,
} as const;

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

const first = (e: z.ZodError) => e.issues[0].message;

const durationText = (flag: string) =>
  z
    .string()
    .regex(/^\d+(\.\d+)?(ms|s|m|h)$/, `${flag} needs a number and a unit (ms, s, m, h), e.g. 90s or 10m`)
    .transform((t) => {
      const [, n, unit] = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(t)!;
      return Number(n) * UNIT_MS[unit as keyof typeof UNIT_MS];
    })
    .refine((ms) => ms >= 100 && ms <= 7 * 24 * 3_600_000, `${flag} must be between 100ms and 168h`);

const rateText = (flag: string, min: number) =>
  z
    .string()
    .regex(/^\d+(\.\d+)?(\/s)?$/, `${flag} must be a non-negative number of flows per second, e.g. 5 or 5/s`)
    .transform((t) => Number(t.replace('/s', '')))
    .refine((r) => r >= min && r <= 10_000, `${flag} must be ${min > 0 ? 'above 0' : 'at least 0'} and at most 10000`);

const positiveRate = (flag: string) =>
  z
    .string()
    .regex(/^\d+(\.\d+)?(\/s)?$/, `${flag} must be a positive number of flows per second, e.g. 5 or 5/s`)
    .transform((t) => Number(t.replace('/s', '')))
    .refine((r) => r > 0 && r <= 10_000, `${flag} must be above 0 and at most 10000`);

const wholeNumber = (flag: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `${flag} must be a whole number`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `${flag} must be between ${min} and ${max}`);

function parse<T>(schema: z.ZodType<T>, value: string | undefined): T | undefined {
  if (value === undefined) return undefined;
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new UsageError(first(parsed.error));
  return parsed.data;
}

/** `30s:2/s,2m:10/s,30s:0/s`: each stage ramps linearly from the previous rate (0 before the first) to its own. */
export function parseStages(text: string): Stage[] {
  const parts = text.split(',').map((p) => p.trim());
  return parts.map((part) => {
    const m = /^([^:]+):([^:]+)$/.exec(part);
    if (!m) throw new UsageError(`bad stage '${part}' in --stages: write DURATION:RATE, e.g. 30s:2/s`);
    const duration = durationText(`stage '${part}': its duration`).safeParse(m[1]);
    if (!duration.success) throw new UsageError(`bad --stages: ${first(duration.error)}`);
    const rate = rateText(`stage '${part}': its rate`, 0).safeParse(m[2]);
    if (!rate.success) throw new UsageError(`bad --stages: ${first(rate.error)}`);
    return { duration_ms: duration.data, target_rate: rate.data };
  });
}

type Given = { count?: number; concurrency?: number; thresholds: Threshold[] };

/** The flags every model reads, parsed. */
interface LoadFlags {
  rate?: number;
  duration?: number;
  stages?: Stage[];
  maxInFlight?: number;
}

/** `--find-breakpoint`: the search's steps, refused with flags that set the rate themselves. */
function breakpointShape(raw: RawLoad, given: Given, f: LoadFlags): LoadShape {
  const { rate, stages, duration, maxInFlight } = f;
  const clash = (
    [
      ['--rate', rate],
      ['--stages', stages],
      ['--duration', duration],
      ['--count', given.count],
      ['--concurrency', given.concurrency],
    ] as const
  ).find(([, v]) => v !== undefined);
  if (clash) throw new UsageError(`${clash[0]} does not go with --find-breakpoint: the search sets the rates itself`);
  if (!given.thresholds.length) {
    throw new UsageError("--find-breakpoint needs at least one --threshold, e.g. --threshold 'success_rate>=99'");
  }
  const stepFactor = parse(
    z
      .string()
      .regex(/^\d+(\.\d+)?$/, '--step-factor must be a number above 1, e.g. 1.5')
      .transform(Number)
      .refine((f) => f > 1 && f <= 10, '--step-factor must be above 1 and at most 10'),
    raw.stepFactor,
  );
  return {
    model: 'breakpoint',
    start_rate: parse(positiveRate('--start-rate'), raw.startRate) ?? LOAD_DEFAULTS.startRate,
    step_factor: stepFactor ?? LOAD_DEFAULTS.stepFactor,
    hold_ms: parse(durationText('--hold'), raw.hold) ?? LOAD_DEFAULTS.holdMs,
    max_steps: parse(wholeNumber('--max-steps', 1, 50), raw.maxSteps) ?? LOAD_DEFAULTS.maxSteps,
    max_in_flight: maxInFlight ?? LOAD_DEFAULTS.maxInFlight,
    thresholds: given.thresholds,
  };
}

/** `--rate` or `--stages`: an open model, starts offered at a rate whatever is in flight. */
function openShape(given: Given, f: LoadFlags): LoadShape {
  const { rate, stages, duration, maxInFlight } = f;
  if (rate !== undefined && stages !== undefined) throw new UsageError('give --rate or --stages, not both');
  if (given.concurrency !== undefined) {
    throw new UsageError(
      `${rate !== undefined ? '--rate' : '--stages'} does not go with --concurrency: an open model caps flows with --max-in-flight`,
    );
  }
  let shape: LoadShape;
  if (stages) {
    if (duration !== undefined) throw new UsageError('--duration does not go with --stages: the stages set it');
    shape = { model: 'open', start_rate: 0, stages, max_in_flight: maxInFlight ?? LOAD_DEFAULTS.maxInFlight };
  } else {
    if (duration === undefined && given.count === undefined) {
      throw new UsageError('--rate needs --duration (e.g. 90s) or --count (how many flows to start)');
    }
    if (duration !== undefined && given.count !== undefined) {
      throw new UsageError('give --duration or --count with --rate, not both');
    }
    const span = duration ?? (given.count! / rate!) * 1000;
    shape = {
      model: 'open',
      start_rate: rate!,
      stages: [{ duration_ms: span, target_rate: rate! }],
      max_in_flight: maxInFlight ?? LOAD_DEFAULTS.maxInFlight,
    };
  }
  if (given.count !== undefined) shape.count = given.count;
  if (plannedStarts(shape) < 1) throw new UsageError('the load starts no flow at all: raise the rate or the duration');
  return shape;
}

/**
 * The run's load shape from its flags, or undefined for today's closed batch (`--count` at `--concurrency`).
 * Combinations that make no sense are refused with one line naming them.
 */
export function parseLoadShape(raw: RawLoad, given: Given): LoadShape | undefined {
  const flags: LoadFlags = {
    rate: parse(positiveRate('--rate'), raw.rate),
    duration: parse(durationText('--duration'), raw.duration),
    stages: raw.stages === undefined ? undefined : parseStages(raw.stages),
    maxInFlight: parse(wholeNumber('--max-in-flight', 1, 100_000), raw.maxInFlight),
  };
  const searchFlags = { startRate: raw.startRate, stepFactor: raw.stepFactor, hold: raw.hold, maxSteps: raw.maxSteps };
  const searchFlag = Object.entries(searchFlags).find(([, v]) => v !== undefined)?.[0];
  const kebab = (s: string) => `--${s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  if (raw.findBreakpoint) return breakpointShape(raw, given, flags);
  if (searchFlag) throw new UsageError(`${kebab(searchFlag)} is for --find-breakpoint`);
  if (flags.rate !== undefined || flags.stages !== undefined) return openShape(given, flags);
  if (flags.maxInFlight !== undefined) {
    throw new UsageError('--max-in-flight is for an open model (--rate or --stages); a closed one uses --concurrency');
  }
  if (flags.duration !== undefined) {
    if (given.count !== undefined) throw new UsageError('give --count or --duration for a closed model, not both');
    return { model: 'closed', duration_ms: flags.duration };
  }
  return undefined;
}

/** The load in a few words, for the start line and the Web UI memo. */
export function describeLoad(shape: LoadShape | undefined, count: number, concurrency: number): string {
  if (!shape) return `×${count} at concurrency ${concurrency}`;
  if (shape.model === 'closed') return `for ${shape.duration_ms / 1000} s at concurrency ${concurrency}`;
  if (shape.model === 'breakpoint') {
    return `breakpoint search from ${shape.start_rate}/s ×${shape.step_factor} per step, each held ${shape.hold_ms / 1000} s`;
  }
  const stages = shape.stages.map((s) => `${s.duration_ms / 1000}s:${s.target_rate}/s`).join(',');
  return `open model ${shape.start_rate === shape.stages[0].target_rate && shape.stages.length === 1 ? `${shape.start_rate}/s for ${shape.stages[0].duration_ms / 1000} s` : `stages ${stages}`} (${plannedStarts(shape)} starts, at most ${shape.max_in_flight} in flight)`;
}

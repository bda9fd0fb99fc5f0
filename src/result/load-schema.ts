import { z } from 'zod';

const ms = z.number().nonnegative();
const rate = z.number().min(0).max(100);

const lateness = z.object({ p50: ms, p95: ms, p99: ms, max: ms });

/** One step of a breakpoint search: a rate held for a while, and how the flows started in it went. */
export const breakpointStepSchema = z.object({
  rate: z.number().nonnegative(),
  scheduled: z.number().int().nonnegative(),
  started: z.number().int().nonnegative(),
  dropped: z.number().int().nonnegative(),
  successful: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  success_rate: rate,
  p95_duration_ms: ms,
  achieved_rate: z.number().nonnegative(),
  lateness_ms: lateness,
  checks: z.array(z.object({ threshold: z.string(), actual: z.number().nullable(), passed: z.boolean() })),
  passed: z.boolean(),
  /** The tester, not the platform, held the step back: starts late or dropped while the started flows were healthy. */
  tester_limited: z.boolean(),
});

export const loadSchema = z.object({
  model: z.enum(['closed', 'open', 'breakpoint']),
  /** Flows per second the schedule offered (open model and breakpoint search). */
  offered_rate: z.number().nonnegative().optional(),
  /** Flows per second actually started, over the same span. */
  achieved_rate: z.number().nonnegative(),
  scheduled: z.number().int().nonnegative(),
  started: z.number().int().nonnegative(),
  /** Starts the schedule offered but the in-flight cap refused; not made up later. */
  dropped: z.number().int().nonnegative(),
  /** How late each start was against its own scheduled time. */
  lateness_ms: lateness,
  peak_in_flight: z.number().int().nonnegative(),
  /** The cap on flows in flight (open) or the concurrency (closed). */
  max_in_flight: z.number().int().positive(),
  duration_seconds: z.number().nonnegative().optional(),
  start_rate: z.number().nonnegative().optional(),
  stages: z
    .array(z.object({ duration_seconds: z.number().positive(), target_rate: z.number().nonnegative() }))
    .optional(),
  breakpoint: z
    .object({
      verdict: z.enum(['running', 'found', 'lowest_failed', 'tester_limit', 'not_found']),
      highest_passing_rate: z.number().nullable(),
      first_failing_rate: z.number().nullable(),
      step_factor: z.number(),
      hold_seconds: z.number(),
      steps: z.array(breakpointStepSchema),
    })
    .optional(),
});

export const seriesSchema = z.object({
  interval_seconds: z.number().positive(),
  points: z.array(
    z.object({
      t_seconds: z.number().nonnegative(),
      started: z.number().int().nonnegative(),
      completed: z.number().int().nonnegative(),
      failed: z.number().int().nonnegative(),
      dropped: z.number().int().nonnegative(),
      scheduled: z.number().int().nonnegative(),
      achieved_rate: z.number().nonnegative(),
      p95_duration_ms: ms,
      in_flight: z.number().int().nonnegative(),
      /** p95 of the interval's response times, from each flow's scheduled start (open model and breakpoint). */
      p95_response_ms: ms.optional(),
    }),
  ),
});

export type LoadSection = z.infer<typeof loadSchema>;
export type BreakpointStep = z.infer<typeof breakpointStepSchema>;
export type Series = z.infer<typeof seriesSchema>;

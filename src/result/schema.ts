import { z } from 'zod';
import { loadSchema, seriesSchema } from './load-schema';

const ms = z.number().nonnegative();
const rate = z.number().min(0).max(100);

/**
 * Where the time went, measured where the calls were made. Step (or flow) time = service + waits + backoff +
 * overhead. Service: the platform's own time, as the activities timed their HTTP round trips (monotonic clock,
 * per attempt, failed attempts included; for steps that talk to PostgreSQL directly, the attempt's database
 * work); percentiles over attempts for a step, over flows for the flow. Overhead: what is left per execution,
 * Temporal's dispatch and the worker's own time. Waits: the step's durable timers. Backoff: retry backoff as the
 * server scheduled it. An attempt that never reported back is charged its timeout and counted as unreported.
 */
const timeSplit = {
  service_avg_ms: ms,
  service_p50_ms: ms,
  service_p95_ms: ms,
  service_p99_ms: ms,
  overhead_avg_ms: ms,
  overhead_p50_ms: ms,
  overhead_p95_ms: ms,
  wait_avg_ms: ms,
  backoff_avg_ms: ms,
  unreported_attempts: z.number().int().nonnegative(),
};
/** Results stored before the split existed lack it. */
const optionalTimeSplit = Object.fromEntries(Object.entries(timeSplit).map(([k, v]) => [k, v.optional()])) as {
  [K in keyof typeof timeSplit]: z.ZodOptional<(typeof timeSplit)[K]>;
};

export const stepAnalysisSchema = z.object({
  success_rate: rate,
  avg_duration_ms: ms,
  p50_duration_ms: ms,
  p95_duration_ms: ms,
  p99_duration_ms: ms,
  /** Calls made, retries included. */
  attempts: z.number().int().nonnegative(),
  retries: z.number().int().nonnegative(),
  /** Steps that failed after their retries. */
  failures: z.number().int().nonnegative(),
  /** Times the step ran (completed or failed). */
  executions: z.number().int().nonnegative(),
  ...optionalTimeSplit,
});

/** One process chaos killed during the run, and how long the stack took to serve again. */
export const chaosKillSchema = z.object({
  /** Numbered from 1 in the order of the kills. */
  id: z.number().int().positive(),
  at: z.string(),
  /** Seconds after chaos began. */
  offset_seconds: z.number().nonnegative(),
  target: z.string(),
  signal: z.string(),
  pid: z.number().int().positive(),
  /** Until its supervisor had it serving again; null while it is not (yet) back. */
  healthy_after_ms: z.number().nonnegative().nullable(),
});

/** A network fault chaos put between two hosts of a `--hosts` stack, from its start to its end, and its heal. */
export const chaosFaultSchema = z.object({
  id: z.number().int().positive(),
  kind: z.enum(['partition', 'slow', 'reset']),
  /** Host names as stack.json's `hosts` has them (worker-1, temporal-frontend). */
  a: z.string(),
  b: z.string(),
  at: z.string(),
  /** Seconds after chaos began: when it was put in place, and when removed (null while in force). */
  offset_seconds: z.number().nonnegative(),
  end_offset_seconds: z.number().nonnegative().nullable(),
  detail: z.string().optional(),
  /** From its end until the stack served again across it; null when it did not within the time allowed. */
  healed_after_ms: z.number().nonnegative().nullable().optional(),
});

export const chaosSectionSchema = z.object({
  spec: z.string(),
  seed: z.number().int(),
  kills: z.array(chaosKillSchema),
  faults: z.array(chaosFaultSchema).optional(),
});

/**
 * Exemplars: the executions behind the figures, by workflow id (open them in the Web UI). Per step and for the
 * flow, the `k` slowest (by the step's or the flow's duration, slowest first) and the first `k` failed, each
 * with its error; the flow's failed name the step that failed. Bounded: a top-k carried across continue-as-new.
 */
const exemplarListsSchema = z.object({
  slowest: z.array(z.object({ workflow_id: z.string(), duration_ms: ms })),
  failed: z.array(z.object({ workflow_id: z.string(), error: z.string(), step: z.string().optional() })),
});
export const exemplarsSchema = z.object({
  /** How many of each kind were kept (default 3). */
  k: z.number().int().positive(),
  flow: exemplarListsSchema,
  /** Only the steps that have any. */
  steps: z.record(z.string(), exemplarListsSchema),
});

/** One live control a running run accepted (`npm run control`): when, and for `set` the values it changed. */
export const controlsSchema = z.array(
  z.object({
    at: z.string(),
    /** Seconds after the run started: where it sits on the series' time axis. */
    offset_seconds: z.number().nonnegative(),
    action: z.enum(['pause', 'resume', 'stop', 'set']),
    rate: z.number().positive().optional(),
    concurrency: z.number().int().positive().optional(),
    max_in_flight: z.number().int().positive().optional(),
  }),
);

/** The suite's standard result, shared by every flow; validated before it leaves a workflow or the CLI. */
export const standardResultSchema = z
  .object({
    flow: z.string(),
    run_id: z.string(),
    status: z.enum(['running', 'completed']),
    total_operations: z.number().int().nonnegative(),
    completed_operations: z.number().int().nonnegative(),
    concurrent: z.number().int().positive(),
    successful: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
    /** Successful flows that ended in a business rejection (counted in successful). */
    rejected: z.number().int().nonnegative(),
    success_rate: rate,
    total_duration_seconds: z.number().nonnegative(),
    operations_per_second: z.number().nonnegative(),
    avg_duration_ms: ms,
    p50_duration_ms: ms,
    p95_duration_ms: ms,
    p99_duration_ms: ms,
    /** Open model and breakpoint: each flow's time from its scheduled start to its end (docs/load-shapes.md). */
    response_p50_ms: ms.optional(),
    response_p95_ms: ms.optional(),
    response_p99_ms: ms.optional(),
    ...optionalTimeSplit,
    step_analysis: z.record(z.string(), stepAnalysisSchema),
    failure_points: z.record(z.string(), z.number().int().positive()),
    /** Learning flows: the CTR model's error on each cycle's new actuals, in cycle order. */
    learning_curve: z
      .array(
        z.object({
          cycle: z.number().int().nonnegative(),
          model_version: z.string(),
          mae: z.number().nonnegative(),
          calibration: z.number().nullable(),
          retrained_to: z.string().optional(),
        }),
      )
      .optional(),
    /** Values flows measured, by name (e.g. feedback_latency_ms): a summary across the run's flows. */
    measurements: z
      .record(
        z.string(),
        z.object({
          count: z.number().int().positive(),
          avg: z.number(),
          p50: z.number(),
          p95: z.number(),
          p99: z.number(),
        }),
      )
      .optional(),
    /** How the load was offered and taken: the model, offered vs achieved rate, dropped and late starts. */
    load: loadSchema.optional(),
    /** The load over time in fixed intervals (at most about 1,000, merged as the run grows). */
    series: seriesSchema.optional(),
    /** Processes killed on purpose during the run (`--chaos`). */
    chaos: chaosSectionSchema.optional(),
    /** The slowest and failed flows' workflow ids, per step and for the flow. */
    exemplars: exemplarsSchema.optional(),
    /** Live controls accepted while the run went (`npm run control`), in order. */
    controls: controlsSchema.optional(),
    params: z.object({
      count: z.number().int().positive(),
      concurrency: z.number().int().positive(),
      seed: z.number().int(),
      faults: z.string(),
      time_scale: z.number().positive(),
      /** The quick steps ran as local activities (`--local-activities`); absent when each step was an activity. */
      local_activities: z.literal(true).optional(),
    }),
  })
  .refine((r) => r.successful + r.failed === r.completed_operations, {
    message: 'successful + failed must equal completed_operations',
  })
  .refine((r) => r.status === 'running' || r.completed_operations === r.total_operations, {
    message: 'a completed run must have completed every operation',
  });

export type StandardResult = z.infer<typeof standardResultSchema>;
export type StepAnalysis = z.infer<typeof stepAnalysisSchema>;
export type ChaosKill = z.infer<typeof chaosKillSchema>;
export type ChaosSection = z.infer<typeof chaosSectionSchema>;
export type ChaosFault = z.infer<typeof chaosFaultSchema>;
export type Exemplars = z.infer<typeof exemplarsSchema>;
export type ControlChange = z.infer<typeof controlsSchema>[number];

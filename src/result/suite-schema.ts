import { z } from 'zod';
import { standardResultSchema } from './schema';

export const thresholdCheckSchema = z.object({
  threshold: z.string(),
  actual: z.number().nullable(),
  passed: z.boolean(),
});

/** One flow of a suite: its stress run's id, how far it got, and its result once done. */
export const suiteFlowSchema = z.object({
  flow: z.string(),
  run_id: z.string(),
  status: z.enum(['pending', 'running', 'completed', 'failed']),
  result: standardResultSchema.optional(),
  /** Why the flow's stress run itself failed (not one of its flows). */
  error: z.string().optional(),
  checks: z.array(thresholdCheckSchema).optional(),
  passed: z.boolean().optional(),
});

/** The suite's result: every flow's standard result plus one verdict against the thresholds. */
export const suiteResultSchema = z.object({
  suite_id: z.string(),
  status: z.enum(['running', 'completed']),
  verdict: z.enum(['pending', 'passed', 'failed']),
  thresholds: z.array(z.string()),
  total_duration_seconds: z.number().nonnegative(),
  flows: z.array(suiteFlowSchema),
});

export type SuiteFlowEntry = z.infer<typeof suiteFlowSchema>;
export type SuiteResult = z.infer<typeof suiteResultSchema>;

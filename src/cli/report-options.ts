import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { FLOW_NAMES } from '../flows/catalog';
import { regressionLimitSchema, type RegressionLimit } from '../report/regression';
import { runRefSchema, type RunRef } from '../report/stored-runs';
import { UsageError } from './errors';

/** A file to write: its folder must exist, so a run does not end on a write that cannot succeed. */
const outputFile = (flag: string) =>
  z
    .string()
    .min(1, `--${flag} needs a file name`)
    .superRefine((file, ctx) => {
      const folder = path.dirname(path.resolve(file));
      if (!fs.existsSync(folder))
        ctx.addIssue({ code: 'custom', message: `--${flag} ${file}: folder ${folder} does not exist` });
    });

const limits = z.array(regressionLimitSchema).default([]);

/** The first problem as one line. */
function parseOrThrow<T extends z.ZodType>(schema: T, raw: unknown): z.output<T> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new UsageError(parsed.error.issues[0].message);
  return parsed.data;
}

export interface CompareOptions {
  baseline: RunRef;
  run: RunRef;
  limits: RegressionLimit[];
  html?: string;
}

const compareSchema = z.object({
  baseline: z.string({ error: 'give the baseline: a run id or latest:<flow>' }).pipe(runRefSchema),
  run: z.string({ error: 'give the run to compare: a run id or latest:<flow>' }).pipe(runRefSchema),
  maxRegression: limits,
  html: outputFile('html').optional(),
});

/** `compare <baseline> <run> [--max-regression …]`. */
export function parseCompareOptions(baseline: unknown, run: unknown, raw: Record<string, unknown>): CompareOptions {
  const o = parseOrThrow(compareSchema, { baseline, run, maxRegression: raw.maxRegression, html: raw.html });
  return { baseline: o.baseline, run: o.run, limits: o.maxRegression, html: o.html };
}

const historySchema = z.object({
  flow: z.enum(FLOW_NAMES as [string, ...string[]], {
    error: (issue) =>
      issue.input
        ? `unknown flow '${String(issue.input)}': valid flows are ${FLOW_NAMES.join(', ')}`
        : `name a flow: one of ${FLOW_NAMES.join(', ')}`,
  }),
  limit: z
    .string()
    .regex(/^\d+$/, '--limit must be a whole number')
    .transform(Number)
    .refine((n) => n >= 1 && n <= 10_000, '--limit must be between 1 and 10000')
    .default(20),
});

export function parseHistoryOptions(flow: unknown, raw: Record<string, unknown>) {
  return parseOrThrow(historySchema, { flow, limit: raw.limit });
}

/** What start-workflow writes and checks once its run is done. */
export interface RunReportOptions {
  /** `latest` (the flow's previous run), a run id, or latest:<flow>. */
  baseline?: 'latest' | RunRef;
  limits: RegressionLimit[];
  junit?: string;
  html?: string;
}

const runReportSchema = z
  .object({
    baseline: z
      .string()
      .transform((s, ctx) => {
        if (s === 'latest') return 'latest' as const;
        const ref = runRefSchema.safeParse(s);
        if (ref.success) return ref.data;
        ctx.addIssue({ code: 'custom', message: `--baseline ${ref.error.issues[0].message}, or 'latest'` });
        return z.NEVER;
      })
      .optional(),
    maxRegression: limits,
    junit: outputFile('junit').optional(),
    html: outputFile('html').optional(),
  })
  .refine((o) => o.baseline !== undefined || o.maxRegression.length === 0, {
    message: "--max-regression needs --baseline (e.g. '--baseline latest')",
  });

/** start-workflow's report options, validated; the suite takes only `--baseline latest`. */
export function parseRunReportOptions(raw: Record<string, unknown>, suite = false): RunReportOptions {
  const o = parseOrThrow(runReportSchema, {
    baseline: raw.baseline,
    maxRegression: raw.maxRegression,
    junit: raw.junit,
    html: raw.html,
  });
  if (suite && o.baseline !== undefined && o.baseline !== 'latest') {
    throw new UsageError("the suite compares each flow with its own previous run: use '--baseline latest'");
  }
  return { baseline: o.baseline, limits: o.maxRegression, junit: o.junit, html: o.html };
}

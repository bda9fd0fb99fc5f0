import { z } from 'zod';
import { UsageError } from './errors';

/** `rerun <run-id> [--dry-run]`. */
export interface RerunOptions {
  runId: string;
  dryRun: boolean;
}

// A run id goes into a visibility query between double quotes: letters, digits and . _ : @ - only.
const rerunSchema = z.object({
  runId: z
    .string({ error: 'give the run id to re-run: npm run rerun <run-id>' })
    .min(1, 'give the run id to re-run: npm run rerun <run-id>')
    .max(200, 'a run id has at most 200 characters')
    .regex(/^[\w.:@-]+$/, { error: (i) => `bad run id '${String(i.input)}': letters, digits and . _ : @ - only` }),
  dryRun: z.boolean({ error: '--dry-run takes no value' }).default(false),
});

/** The re-run's options, checked: one line naming the first problem. */
export function parseRerunOptions(runId: unknown, raw: { dryRun?: unknown }): RerunOptions {
  const parsed = rerunSchema.safeParse({ runId, dryRun: raw.dryRun });
  if (!parsed.success) throw new UsageError(parsed.error.issues[0].message);
  return parsed.data;
}

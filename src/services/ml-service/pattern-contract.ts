import { z } from 'zod';

/** The creative patterns the ML Service measures (compound learning, the RAG index) and answers questions about. */
import { PATTERN_KEYS } from './pattern-keys';

export { PATTERN_KEYS };
export const patternKeySchema = z.enum(PATTERN_KEYS);
export type PatternKey = z.infer<typeof patternKeySchema>;

const account = z.string().regex(/^act_\d+$/, 'an ad account id like act_300001');
const text = z.string().min(1).max(300);

/** A question to the pattern predictor (`POST /patterns/predict`); `text` is how a person would ask it. */
export const patternQuestionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('best_pattern'), ad_account_id: account, text }),
  z.object({ kind: z.literal('pattern_lift'), pattern: patternKeySchema, ad_account_id: account.optional(), text }),
  z.object({
    kind: z.literal('combination'),
    patterns: z.tuple([patternKeySchema, patternKeySchema]).refine(([a, b]) => a !== b, 'two different patterns'),
    text,
  }),
  z.object({ kind: z.literal('edit_plan'), ad_account_id: account, text }),
]);
export type PatternQuestion = z.infer<typeof patternQuestionSchema>;

export const predictRequestSchema = z.object({ question: patternQuestionSchema });

import { z } from 'zod';
import { PATTERN_KEYS } from './ml-service-data';
import type { RouteTable } from './route';

export { PATTERN_KEYS, FEEDBACK_REF_PROPERTY, type CreativeFeatures, type PatternKey } from './ml-service-data';

export const patternKeySchema = z.enum(PATTERN_KEYS);

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

const suggestedEditSchema = z.object({
  module: z.string(),
  params: z.record(z.string(), z.unknown()),
  because: z.string(),
});
export type SuggestedEdit = z.infer<typeof suggestedEditSchema>;

/** The pattern predictor's answer. */
export const patternAnswerSchema = z.object({
  answerable: z.boolean(),
  summary: z.string(),
  predictions: z.array(
    z.object({
      pattern: z.string(),
      lift: z.number(),
      support: z.number(),
      /** Grows with support: support / (support + 20). */
      confidence: z.number(),
      sources: z.object({ winning_patterns: z.number(), knowledge_graph: z.number() }),
    }),
  ),
  suggested_edits: z.array(suggestedEditSchema),
});
export type PatternAnswer = z.infer<typeof patternAnswerSchema>;
export type PatternPrediction = PatternAnswer['predictions'][number];

/** The ML Service's routes (filled in as its handlers move onto contracts). */
export const ML_SERVICE_ROUTES = {} satisfies RouteTable;

import { z } from 'zod';
import { HUBSPOT_HEADERS } from './hubspot';
import { FEEDBACK_REF_PROPERTY, PATTERN_KEYS, type CreativeFeatures } from './ml-service-data';
import { route, type RouteTable } from './route';
import { idempotencyKeySchema, SIM_HEADERS } from './sim-headers';

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

/** A write's headers: the idempotency key makes a retry answer what the first attempt did. */
const writeHeaders = z.object({ [SIM_HEADERS.idempotencyKey]: idempotencyKeySchema });
const created = z.boolean().meta({ description: 'false when an earlier call with the same key made it' });
/** A PostgreSQL numeric or bigint column as the driver hands it over: a string of digits (or a number). */
const pgNumber = z.union([z.number(), z.string()]);

/** The largest amount of money the platform's columns hold (numeric(14, 2)). */
export const MAX_MONEY = 999_999_999_999.99;

/** The CTR model's inputs as a caller sends them. */
export const creativeFeaturesSchema = z.object({
  scene_count: z.number().int().min(1).max(100),
  has_hook: z.boolean(),
  avg_motion: z.number().min(0).max(1),
  faces: z.number().int().min(0).max(50),
}) satisfies z.ZodType<CreativeFeatures>;

/** One ad's delivery in a window, as the activities hand Meta's insights over (numbers, not Graph strings). */
export const insightRowSchema = z.object({
  ad_id: z.string().min(1),
  impressions: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  clicks: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  spend: z.number().nonnegative().max(MAX_MONEY),
});

const validAmount = (v: string | undefined) =>
  v !== undefined && /^\d+(\.\d{1,2})?$/.test(v.trim()) && Number(v) <= MAX_MONEY;

/** A HubSpot webhook delivery: a JSON array of events. */
export const hubspotEventsSchema = z
  .array(
    z.object({
      eventId: z.number().int(),
      subscriptionId: z.number().int().optional(),
      portalId: z.number().int().optional(),
      appId: z.number().int().optional(),
      occurredAt: z.number().int().positive().max(8_640_000_000_000_000, 'beyond the latest date'),
      subscriptionType: z.string().min(1),
      attemptNumber: z.number().int().nonnegative(),
      objectId: z.number().int(),
      propertyName: z.string().optional(),
      propertyValue: z.string().optional(),
      changeSource: z.string().optional(),
    }),
  )
  .min(1)
  .max(100)
  .superRefine((events, issues) =>
    events.forEach((e, i) => {
      // A deal's amount becomes revenue in a numeric(14, 2) column: refused here, not failed there on every retry.
      if (e.propertyName === 'amount' && !validAmount(e.propertyValue))
        issues.addIssue({
          code: 'custom',
          path: [i, 'propertyValue'],
          message: `amount must be a number from 0 to ${MAX_MONEY}`,
        });
    }),
  );
export type HubspotEvent = z.infer<typeof hubspotEventsSchema>[number];

/** The signed webhook's headers (the signature is HubSpot's v3, src/contracts/hubspot.ts). */
const hubspotHeaders = z.object({ [HUBSPOT_HEADERS.signature]: z.string(), [HUBSPOT_HEADERS.timestamp]: z.string() });
const hubspotAnswer = z.object({ received: z.number().int(), stored: z.number().int(), closed_won: z.number().int() });

const cycleSchema = z.object({ seed: z.number().int().min(0), cycle: z.number().int().min(0) });
const flowKey = z.string().min(1).max(300);
const flowSchema = z.object({ flow_key: flowKey, ad_set_id: z.string().min(1).max(100) });
const winnerRef = z.object({ winner_id: z.string().uuid() });
const searchHitSchema = z.object({ winner_id: z.string(), ad_id: z.string(), distance: z.number() });
const posteriorSchema = z.object({ ad_id: z.string(), probability_best: z.number(), expected_value: z.number() });
const benchmarkSchema = z.object({
  benchmark_id: z.string(),
  corpus_size: z.number(),
  queries: z.number(),
  k: z.number(),
  recall_at_k: z.number(),
  index_used: z.boolean(),
  index_p50_ms: z.number(),
  index_p95_ms: z.number(),
  brute_force_p50_ms: z.number(),
});
const ctrModelSchema = z.object({
  version: z.string(),
  intercept: z.number(),
  weights: z.record(z.string(), z.number()),
});

/** The ML Service: CTR prediction, feedback, the sampler and decision gate, learning, RAG, pattern prediction. */
export const ML_SERVICE_ROUTES = {
  predictCtr: route({
    method: 'POST',
    path: '/predict/ctr',
    summary: "Predicts an analyzed video's CTR with the model in service",
    headers: writeHeaders,
    body: z.object({ video_id: z.string().uuid(), ad_id: z.string().min(1).max(200).optional() }),
    response: z.object({
      prediction_id: z.string(),
      predicted_ctr: z.number(),
      model_version: z.string(),
      created,
    }),
    status: [201, 200],
  }),
  ctrModel: route({
    method: 'GET',
    path: '/models/ctr',
    summary: 'The CTR model in service',
    response: ctrModelSchema,
  }),
  metaInsights: route({
    method: 'POST',
    path: '/feedback/meta-insights',
    summary: "Meta's delivery for a window, one row per ad; a repeat of the window stores nothing",
    body: z.object({
      window_start: z.string().datetime(),
      window_end: z.string().datetime(),
      rows: z.array(insightRowSchema).max(100),
    }),
    response: z.object({ stored: z.number().int(), received: z.number().int() }),
  }),
  hubspotWebhook: route({
    method: 'POST',
    path: '/webhooks/hubspot',
    summary: "HubSpot's signed deal events: a closed-won deal adds its amount to its ad's revenue, once",
    headers: hubspotHeaders,
    body: hubspotEventsSchema,
    response: hubspotAnswer,
  }),
  allocate: route({
    method: 'POST',
    path: '/sampler/allocate',
    summary: "Thompson sampling over an ad set's feedback: the split, the leader and the budget it proposes",
    headers: writeHeaders,
    body: z.object({ ad_set_id: z.string().min(1), seed: z.number().int().min(0), round: z.number().int().min(0) }),
    response: z.object({
      ad_set_id: z.string(),
      split: z.record(z.string(), z.number()),
      leader: z.string(),
      probability_best: z.number(),
      current_budget: z.number(),
      proposed_budget: z.number(),
      impressions: z.number(),
      spend: z.number(),
      posteriors: z.array(posteriorSchema),
    }),
  }),
  decisionGate: route({
    method: 'POST',
    path: '/decision-gate',
    summary: "The gate's decision on a proposed budget, recorded once per key",
    headers: writeHeaders,
    body: z.object({
      ad_set_id: z.string().min(1),
      split: z.record(z.string(), z.number().min(0).max(1)),
      probability_best: z.number().min(0).max(1),
      current_budget: z.number().positive().max(MAX_MONEY),
      proposed_budget: z.number().positive().max(MAX_MONEY),
      impressions: z.number().nonnegative(),
      spend: z.number().nonnegative().max(MAX_MONEY),
    }),
    response: z.object({
      decision_id: z.string(),
      decision: z.enum(['approve', 'clip', 'hold']),
      reason: z.string(),
      budget: z.number(),
    }),
    status: [201, 200],
  }),
  predictBatch: route({
    method: 'POST',
    path: '/learning/predict-batch',
    summary: "The cycle's new creatives, predicted by the model in service",
    headers: writeHeaders,
    body: cycleSchema,
    response: z.object({ model_version: z.string(), creatives: z.number().int() }),
  }),
  accuracy: route({
    method: 'POST',
    path: '/learning/accuracy',
    summary: 'Predictions joined with their actuals: MAE and calibration, into learning_cycles',
    headers: writeHeaders,
    body: cycleSchema.extend({
      /** The key of the cycle's actuals_fetcher call: its predictions are named after it. */
      predictions_key: z.string().min(1),
    }),
    response: z.object({
      learning_cycle_id: z.string(),
      model_version: z.string(),
      mae: z.number(),
      calibration: z.number().nullable(),
      samples: z.number().int(),
    }),
    status: [201, 200],
  }),
  retrain: route({
    method: 'POST',
    path: '/learning/retrain',
    summary: "Retrains on every creative's actuals when the error crosses the threshold",
    headers: writeHeaders,
    body: cycleSchema.extend({ mae: z.number().min(0), threshold: z.number().min(0) }),
    response: z.object({ retrained: z.boolean(), model_version: z.string(), trained_rows: z.number().int() }),
  }),
  learningPatterns: route({
    method: 'POST',
    path: '/learning/patterns',
    summary: 'Compound learning: per account, which creative patterns go with a higher actual CTR',
    body: cycleSchema.extend({ learning_cycle_id: z.string().min(1) }),
    response: z.object({ patterns: z.number().int() }),
  }),
  promote: route({
    method: 'POST',
    path: '/learning/promote',
    summary: "Auto-promotion: each ad set's leader, promoted when the posterior is sure enough",
    headers: writeHeaders,
    body: cycleSchema,
    response: z.object({
      decisions: z.array(
        z.object({ ad_set_id: z.string(), ad_id: z.string(), decision: z.string(), probability_best: pgNumber }),
      ),
    }),
  }),
  cross: route({
    method: 'POST',
    path: '/learning/cross',
    summary: 'Cross-account learning: only aggregated patterns cross accounts',
    response: z.object({ patterns: z.number().int().nullable() }),
  }),
  ragIndex: route({
    method: 'POST',
    path: '/learning/rag-index',
    summary: "Each promoted winner's creative DNA into the RAG index",
    headers: writeHeaders,
    body: cycleSchema.extend({ promotions_key: z.string().min(1) }),
    response: z.object({ winners: z.number().int().nullable(), indexed: z.number().int() }),
  }),
  indexWinner: route({
    method: 'POST',
    path: '/rag/winners',
    summary: "A winner's DNA into the object store and its embedding into the index, once per ad",
    headers: writeHeaders,
    body: z.object({
      ad_id: z.string().min(1).max(200),
      ad_account_id: z.string().min(1).max(100),
      ad_set_id: z.string().min(1).max(200),
      features: creativeFeaturesSchema,
      ctr: z.number().min(0).max(1),
      copy_text: z.string().min(1).max(2000),
    }),
    response: z.object({
      winner_id: z.string(),
      ad_id: z.string(),
      asset_key: z.string(),
      patterns: z.array(z.string()),
      created,
    }),
    status: [201, 200],
  }),
  search: route({
    method: 'POST',
    path: '/rag/search',
    summary: 'A text (and optional features) to its nearest winners, through the cache',
    body: z.object({
      query: z.string().max(2000),
      features: creativeFeaturesSchema.optional(),
      k: z.number().int().min(1).max(100).default(10),
      ad_account_id: z.string().min(1).max(100).optional(),
    }),
    response: z.object({
      query: z.string(),
      cache: z.enum(['hit', 'miss', 'error']),
      cache_kind: z.string(),
      cache_totals: z.object({ hit: z.number().int(), miss: z.number().int(), error: z.number().int() }),
      results: z.array(searchHitSchema),
    }),
  }),
  ragPatterns: route({
    method: 'POST',
    path: '/rag/patterns',
    summary: "Which patterns a winner's nearest winners share, against the whole index",
    headers: writeHeaders,
    body: winnerRef.extend({ k: z.number().int().min(1).max(100).default(10) }),
    response: z.object({
      extraction_id: z.string(),
      winner_id: z.string(),
      neighbors: z.array(searchHitSchema),
      patterns: z.array(z.looseObject({ pattern: z.string(), lift: z.number().nullable() })),
    }),
    status: [201, 200],
  }),
  dna: route({
    method: 'POST',
    path: '/rag/dna',
    summary: "A winner's DNA as a video's extraction, and as an asset in the object store",
    headers: writeHeaders,
    body: winnerRef,
    response: z.object({
      dna_id: pgNumber,
      video_id: z.string(),
      asset_key: z.string(),
      patterns: z.array(z.string()),
    }),
    status: [201, 200],
  }),
  knowledgeGraph: route({
    method: 'POST',
    path: '/rag/knowledge-graph',
    summary: 'The winner, its patterns, outcome, account and similar winners, upserted into the graph',
    body: winnerRef.extend({ extraction_id: z.string().regex(/^\d+$/) }),
    response: z.object({ creative_node_id: pgNumber, nodes: z.number().int(), edges: z.number().int() }),
  }),
  knowledgeGraphQuery: route({
    method: 'POST',
    path: '/rag/knowledge-graph/query',
    summary: 'What the graph knows about patterns and outcomes',
    body: z.object({
      patterns: z.array(patternKeySchema).min(1).optional(),
      ad_account_id: z.string().min(1).max(100).optional(),
      limit: z.number().int().min(1).max(100).default(10),
    }),
    response: z.object({
      creatives: z.number().int(),
      mean_ctr: z.number(),
      patterns: z.array(
        z.object({
          pattern: z.string(),
          creatives: z.number().int(),
          mean_ctr: z.number(),
          lift: z.number().nullable(),
        }),
      ),
      top_creatives: z.array(
        z.object({
          ad_id: z.string(),
          ctr: z.number(),
          outcome: z.string(),
          patterns: z.array(z.string()),
          similar: z.array(z.object({ ad_id: z.string(), similarity: z.number() })),
        }),
      ),
    }),
  }),
  benchmark: route({
    method: 'POST',
    path: '/rag/benchmark',
    summary: "The index's recall@k against exact search, and latencies, stored once",
    headers: writeHeaders,
    body: z.object({
      queries: z.number().int().min(1).max(200).default(20),
      k: z.number().int().min(1).max(100).default(10),
    }),
    response: benchmarkSchema,
    status: [201, 200],
  }),
  realtimeMetaInsights: route({
    method: 'POST',
    path: '/feedback/realtime/meta-insights',
    summary: "A flow's Meta delivery rows, one feedback event per ad, stored once",
    headers: writeHeaders,
    body: z.object({
      flow_key: flowKey,
      ad_set_id: z.string().min(1).max(100),
      /** When Meta reported the delivery, epoch ms. */
      occurred_at: z.number().int().positive(),
      rows: z.array(insightRowSchema).min(1).max(100),
    }),
    response: z.object({ received: z.number().int(), stored: z.number().int() }),
  }),
  realtimeHubspot: route({
    method: 'POST',
    path: '/webhooks/hubspot/realtime',
    summary: `HubSpot's signed deal events as feedback events, tied to their batch by the ${FEEDBACK_REF_PROPERTY} property`,
    headers: hubspotHeaders,
    body: hubspotEventsSchema,
    response: hubspotAnswer,
  }),
  dualSignal: route({
    method: 'POST',
    path: '/feedback/realtime/dual-signal',
    summary: "A flow's Meta delivery joined with its HubSpot deals, per ad: one signal each, written once",
    headers: writeHeaders,
    body: flowSchema,
    response: z.object({
      signals: z.array(
        z.object({
          ad_id: z.string(),
          impressions: z.number(),
          clicks: z.number(),
          conversions: z.number(),
          revenue: z.number(),
        }),
      ),
    }),
  }),
  process: route({
    method: 'POST',
    path: '/feedback/realtime/process',
    summary: "A flow's signals applied to the ads' posteriors as one new model version",
    body: flowSchema,
    response: z.object({
      model_version: z.number().int(),
      signals: z.number().int(),
      posteriors: z.array(z.looseObject({ ad_id: z.string(), ctr_mean: z.number() })),
    }),
  }),
  promotion: route({
    method: 'POST',
    path: '/feedback/realtime/promotion',
    summary: "The ad set's leader by P(best), promoted when the gate's rules hold and the feedback moved it",
    body: flowSchema.extend({ round: z.number().int().min(0) }),
    response: z.object({
      promotion_id: z.string(),
      decision: z.enum(['promote', 'hold']),
      ad_id: z.string(),
      probability_best: z.number(),
      previous_probability_best: z.number().nullable(),
      reason: z.string(),
    }),
    status: [201, 200],
  }),
  latency: route({
    method: 'GET',
    path: '/feedback/realtime/latency',
    summary: "Per source, how long a flow's events took to reach the model (ms)",
    query: z.object({ flow_key: flowKey }),
    response: z.object({
      sources: z.array(
        z.object({
          source: z.string(),
          events: z.number().int(),
          processed: z.number().int(),
          max_ms: z.number().nullable(),
          min_ms: z.number().nullable(),
          avg_ms: z.number().nullable(),
        }),
      ),
    }),
  }),
  statusChange: route({
    method: 'POST',
    path: '/queue-bridge/status-changes',
    summary: "A status decision onto the Meta Publisher's SafeExecutor queue under the caller's key",
    headers: writeHeaders,
    body: z.object({
      ad_account_id: z.string().regex(/^act_\d+$/, 'must look like act_<digits>'),
      ad_set_id: z.string().min(1).max(100),
      action: z.enum(['pause', 'activate']),
      reason: z.string().min(1).max(300),
    }),
    response: z.looseObject({}).meta({ description: "The Meta Publisher queue's own answer, passed on" }),
    status: [201, 200, 202],
  }),
  patternPredict: route({
    method: 'POST',
    path: '/patterns/predict',
    summary: 'Answers a question about creative patterns, with the Video Agent edits it suggests',
    headers: writeHeaders,
    body: predictRequestSchema,
    response: patternAnswerSchema.extend({ answer_id: pgNumber, created }),
    status: [201, 200],
  }),
} satisfies RouteTable;

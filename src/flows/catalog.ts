/**
 * The flow registry: every flow is registered here once, by name, with its steps. The CLI, the stress-run
 * parent, the step recorder, schedules and the generated docs read it. Pure data, safe to import from workflow code.
 */
import type { ServiceName } from '../services/catalog';
import { PRO_MODULES } from '../contracts/video-agent-modules';
import type { StepPresetName } from './step-presets';

/** What a step talks to: one of the platform's services, or PostgreSQL directly. */
export type StepTarget = ServiceName | 'postgres';

export interface StepDefinition {
  /** As it appears in history (the activity summary), in the result's step_analysis and in docs. */
  readonly name: string;
  readonly summary: string;
  /** What the step calls, in the order its activity takes their call contexts. */
  readonly services: readonly StepTarget[];
  /** Tables written by the calls (directly, or by the service handling them). */
  readonly writes: readonly string[];
  /** Timeouts and retries (src/flows/step-presets.ts); its maximumAttempts is the step's attempt limit. */
  readonly preset: StepPresetName;
  /** The activities the step runs, in order; omitted when it is the one activity named after the step. */
  readonly activities?: readonly string[];
}

interface StepExtras {
  writes?: readonly string[];
  preset?: StepPresetName;
  activities?: readonly string[];
}

function step<
  const N extends string,
  const V extends StepTarget | readonly StepTarget[],
  const E extends StepExtras = Record<never, never>,
>(name: N, services: V, summary: string, extras: E = {} as E) {
  return {
    name,
    summary,
    // A tuple type, so the recorder knows how many call contexts the step's activity takes first.
    services: (typeof services === 'string' ? [services] : services) as V extends readonly StepTarget[]
      ? V
      : readonly [V],
    writes: extras.writes ?? [],
    preset: extras.preset ?? 'fastCall',
    activities: extras.activities as E extends { activities: infer A } ? A : undefined,
  } satisfies StepDefinition;
}

type Defaults = { count: number; concurrency: number; timeScale: number };

/** A flow's steps are declared once: the name list is derived from them. */
function flow<const S extends readonly StepDefinition[]>(def: {
  workflowType: string;
  description: string;
  defaults: Defaults;
  steps: S;
}) {
  return {
    workflowType: def.workflowType,
    description: def.description,
    /** Time scale: a platform hour lasts 3600 × timeScale real seconds. */
    defaults: def.defaults,
    definitions: def.steps,
    /** Step names in order, as they appear in history and in the result's step_analysis. */
    steps: def.steps.map((s) => s.name) as unknown as { readonly [K in keyof S]: S[K]['name'] },
  };
}

const PRO_MODULE_STEPS = PRO_MODULES.map((module, i) =>
  step(module, 'video-agent', `the ${module.replace(/_/g, ' ')} module as a render-job transition`, {
    writes: ['render_jobs', ...(module === 'winning_ad_generation' ? ['render_segments', 'videos'] : [])],
    preset: module === 'winning_ad_generation' ? 'resumableRender' : 'fastCall',
    // The first module opens the render job the others transition.
    activities: i === 0 ? ['render_job_open', module] : [module],
  }),
);

export const FLOWS = {
  'creative-flow': flow({
    workflowType: 'creativeFlow',
    description: 'upload, scene extraction, CTR prediction, AI Council, render, SafeExecutor queue',
    defaults: { count: 50, concurrency: 10, timeScale: 0.05 },
    steps: [
      step('video_upload', 'drive-intel', 'register the source video', { writes: ['videos'] }),
      step('scene_extraction', 'drive-intel', 'scenes and features of the video', { writes: ['videos'] }),
      step('ctr_prediction', 'ml-service', 'predicted CTR from the model in service', { writes: ['predictions'] }),
      step('council_evaluation', 'titan-core', 'the AI Council scores and approves or rejects', {
        writes: ['blueprints'],
      }),
      step('video_rendering', 'video-agent', 'render the approved blueprint', {
        writes: ['render_jobs', 'videos'],
        preset: 'slowRender',
      }),
      step('meta_queue', 'meta-publisher', 'queue the ad for the SafeExecutor', {
        writes: ['pending_ad_changes'],
      }),
    ],
  }),
  'budget-optimization': flow({
    workflowType: 'budgetOptimization',
    description: 'Meta insights, signed HubSpot webhooks, Thompson sampling, decision gate, SafeExecutor',
    // Its rules span platform hours (15 changes per account per hour, 20% per 6 h): a shorter hour keeps runs short.
    defaults: { count: 200, concurrency: 20, timeScale: 0.005 },
    steps: [
      step('meta_insights_ingestion', ['meta-publisher', 'ml-service'], 'Meta insights into the ML Service', {
        writes: ['meta_ad_sets', 'meta_api_calls', 'performance_metrics'],
      }),
      step('hubspot_webhook', 'ml-service', 'signed HubSpot deal webhooks (revenue)', {
        writes: ['feedback_events', 'performance_metrics'],
      }),
      step('sampler_calculation', 'ml-service', 'Thompson-sampling budget split'),
      step('decision_gate', 'ml-service', 'ignorance zone, confidence and velocity rules', {
        writes: ['budget_decisions'],
      }),
      step('safe_executor_queue', 'meta-publisher', 'queue the budget change', { writes: ['pending_ad_changes'] }),
      step('safe_executor_processing', 'meta-publisher', 'durable wait until the executor ends the change', {
        activities: ['change_status'],
      }),
    ],
  }),
  'self-learning-cycle': flow({
    workflowType: 'selfLearningCycle',
    description: 'the seven loops: actuals, accuracy, retrain, compound learning, promotion, cross-account, RAG',
    defaults: { count: 20, concurrency: 5, timeScale: 0.05 },
    steps: [
      step('actuals_fetcher', ['ml-service', 'meta-publisher'], "predict the cycle's creatives, pull their actuals", {
        writes: ['predictions', 'meta_api_calls', 'performance_metrics'],
      }),
      step('accuracy_tracker', 'ml-service', 'error and calibration per model version', {
        writes: ['learning_cycles'],
      }),
      step('auto_retrain', 'ml-service', 'refit the model when its error is too high', { writes: ['ml_models'] }),
      step('compound_learning', 'ml-service', 'per-account pattern lifts', { writes: ['winning_patterns'] }),
      step('auto_promote', 'ml-service', 'promote the best ads by their posteriors', { writes: ['promotions'] }),
      step('cross_learning', 'ml-service', 'aggregated lifts across accounts', { writes: ['cross_account_patterns'] }),
      step('rag_indexing', 'ml-service', "index the winners' creative DNA", {
        writes: ['creative_dna_extractions', 'videos'],
      }),
    ],
  }),
  'video-processing': flow({
    workflowType: 'videoProcessing',
    description: 'ingestion, scene detection, feature extraction, then the thirteen Pro modules of the Video Agent',
    defaults: { count: 20, concurrency: 5, timeScale: 0.05 },
    steps: [
      step('ingestion', 'drive-intel', 'probe and register the source video', { writes: ['videos'] }),
      step('scene_detection', 'drive-intel', 'scene boundaries', { writes: ['videos'] }),
      step('feature_extraction', 'drive-intel', 'objects, OCR text and transcript', { writes: ['videos'] }),
      // The thirteen Pro modules, in the order the Video Agent applies them.
      ...PRO_MODULE_STEPS,
    ],
  }),
  'ai-council': flow({
    workflowType: 'aiCouncil',
    description: 'battle plan, performance oracle, council vote with quorum, long-running Veo generation, pipeline',
    defaults: { count: 30, concurrency: 10, timeScale: 0.05 },
    steps: [
      step('director', 'titan-core', 'battle plan and storyboard', { writes: ['blueprints', 'videos'] }),
      step('oracle', 'ml-service', 'performance prediction', { writes: ['predictions'] }),
      step('council_of_titans', 'titan-core', 'four votes, quorum of three', {
        writes: ['council_votes', 'blueprints'],
      }),
      step('veo_director', 'titan-core', 'start a Veo generation and wait for it on durable timers', {
        writes: ['veo_jobs', 'videos'],
        activities: ['veo_director', 'veo_director_status'],
      }),
      step('ultimate_pipeline', 'video-agent', 'render the approved plan', {
        writes: ['render_jobs', 'videos'],
        preset: 'slowRender',
      }),
    ],
  }),
  'rag-search': flow({
    workflowType: 'ragSearch',
    description: 'winner indexing, semantic and vector search, patterns, creative DNA, knowledge graph',
    defaults: { count: 50, concurrency: 10, timeScale: 0.05 },
    steps: [
      step('index_winner', 'ml-service', 'embedding and DNA asset of a winner', { writes: ['rag_winners'] }),
      step('semantic_search', 'ml-service', 'nearest winners to what it shows (cached)'),
      step('pattern_extraction', 'ml-service', "patterns of the winner's neighbourhood", {
        writes: ['rag_pattern_extractions'],
      }),
      step('creative_dna_extraction', 'ml-service', "the winner's creative DNA", {
        writes: ['videos', 'creative_dna_extractions'],
      }),
      step('knowledge_graph_update', 'ml-service', 'creative, pattern, outcome and account nodes and edges', {
        writes: ['kg_nodes', 'kg_edges'],
      }),
      step('vector_search_performance', 'ml-service', 'recall@k and latency against exact search', {
        writes: ['rag_search_benchmarks'],
      }),
    ],
  }),
  'pattern-prediction': flow({
    workflowType: 'patternPrediction',
    description: 'seeded dynamic questions to the pattern predictor, then the edits its answer suggests',
    defaults: { count: 50, concurrency: 10, timeScale: 0.05 },
    steps: [
      step('pattern_question', 'ml-service', 'a seeded question answered from patterns and the graph', {
        writes: ['pattern_predictions'],
      }),
      step('video_edit_operations', ['drive-intel', 'video-agent'], 'the suggested edits applied to a clip', {
        writes: ['videos', 'render_jobs'],
      }),
    ],
  }),
  'meta-api': flow({
    workflowType: 'metaApi',
    description: 'campaigns and ads on the simulated Meta API through the SafeExecutor and its limits',
    defaults: { count: 50, concurrency: 10, timeScale: 0.005 },
    steps: [
      step('campaign_creation', 'meta-publisher', 'campaign and ad set on the Graph API', {
        writes: ['meta_api_calls', 'meta_campaigns', 'meta_ad_sets'],
      }),
      step('ad_creation', 'meta-publisher', 'an ad through the SafeExecutor, awaited durably', {
        writes: ['pending_ad_changes'],
        activities: ['ad_creation', 'meta_change_audit'],
      }),
      step('safe_executor_queue', 'meta-publisher', 'queue a budget change', { writes: ['pending_ad_changes'] }),
      step('rate_limiting', 'meta-publisher', "await the change, check the account's hourly rate", {
        activities: ['meta_change_audit'],
      }),
      step('jitter_delay', 'meta-publisher', 'check the 3-18 s jitter', { activities: ['meta_change_audit'] }),
      step('fuzzy_budget', 'meta-publisher', 'check the fuzzed budget', { activities: ['meta_change_audit'] }),
      step('budget_velocity_limit', 'meta-publisher', 'check the 20 % per 6 h limit', {
        activities: ['meta_change_audit'],
      }),
      step('ad_change_history', 'meta-publisher', 'check one history row per change', {
        activities: ['meta_change_audit'],
      }),
    ],
  }),
  'realtime-feedback': flow({
    workflowType: 'realtimeFeedback',
    description: 'Meta insights and signed HubSpot events into the model, promotion, event-to-update latency',
    defaults: { count: 50, concurrency: 10, timeScale: 0.05 },
    steps: [
      step('meta_insights_feedback', ['meta-publisher', 'ml-service'], "the hour's Meta delivery into the model", {
        writes: ['meta_ad_sets', 'meta_api_calls', 'feedback_events'],
      }),
      step('hubspot_webhook_feedback', 'ml-service', 'signed HubSpot deal events', { writes: ['feedback_events'] }),
      step('dual_signal_feedback', 'ml-service', 'both signals joined per ad', { writes: ['feedback_signals'] }),
      step('feedback_processing', 'ml-service', "events applied to the ads' posteriors", {
        writes: ['ad_posteriors', 'feedback_signals', 'feedback_events'],
      }),
      step('auto_promotion_trigger', 'ml-service', 'the promotion decision', { writes: ['promotions'] }),
      step('feedback_latency', 'ml-service', 'event-to-model latency, read back per event'),
    ],
  }),
  'database-operations': flow({
    workflowType: 'databaseOperations',
    description: 'CRUD, foreign keys, JSONB, rollback, concurrent writes, index use, SKIP LOCKED on the core tables',
    defaults: { count: 50, concurrency: 10, timeScale: 0.05 },
    steps: [
      step('crud', 'postgres', 'create, read, update, delete', {
        writes: ['users', 'campaigns'],
        activities: ['db_crud'],
      }),
      step('foreign_keys', 'postgres', 'a missing parent is refused, nothing left behind', {
        writes: ['users', 'campaigns', 'blueprints', 'render_jobs'],
        activities: ['db_foreign_keys'],
      }),
      step('jsonb', 'postgres', 'JSONB written and queried', { writes: ['videos'], activities: ['db_jsonb'] }),
      step('transaction_rollback', 'postgres', 'a failed transaction leaves nothing', {
        writes: ['blueprints'],
        activities: ['db_transaction_rollback'],
      }),
      step('concurrent_writes', 'postgres', 'parallel increments all land', {
        writes: ['users', 'campaigns'],
        activities: ['db_concurrent_writes'],
      }),
      step('index_performance', 'postgres', 'EXPLAIN uses the indexes', {
        writes: ['users', 'campaigns'],
        activities: ['db_index_performance'],
      }),
      step('skip_locked', 'postgres', 'concurrent claimers never share a row', {
        writes: ['pending_ad_changes'],
        activities: ['db_skip_locked'],
      }),
    ],
  }),
  'service-communication': flow({
    workflowType: 'serviceCommunication',
    description: 'the Gateway to every service, ML to Meta via the queue, HubSpot to ML, circuit breaker, backoff',
    defaults: { count: 30, concurrency: 5, timeScale: 0.05 },
    steps: [
      step('gateway_routing', 'gateway', 'one call through the Gateway to each service'),
      step('ml_to_meta_queue', ['gateway', 'ml-service', 'meta-publisher'], 'an ML decision queued for Meta', {
        writes: ['pending_ad_changes'],
      }),
      step('hubspot_to_ml_webhook', ['gateway', 'ml-service'], 'a signed webhook through the Gateway; a forged one', {
        writes: ['feedback_events', 'performance_metrics'],
        activities: ['hubspot_to_ml_webhook', 'hubspot_forged_webhook'],
      }),
      step('circuit_breaker', 'gateway', 'trip, fail fast, wait durably, probe closed', {
        activities: ['circuit_breaker_trip', 'circuit_breaker_probe'],
      }),
      step('retry_backoff', 'gateway', 'capped full-jitter backoff, checked from headers'),
    ],
  }),
  'best-ads-level': flow({
    workflowType: 'bestAdsLevel',
    description: 'budget allocation, RAG search and the feedback loop together for one ad set',
    defaults: { count: 30, concurrency: 5, timeScale: 0.05 },
    steps: [
      step('budget_allocation', ['meta-publisher', 'ml-service'], 'insights, then the Thompson split and leader', {
        writes: ['meta_ad_sets', 'meta_api_calls', 'performance_metrics'],
        activities: ['meta_insights_ingestion', 'sampler_calculation'],
      }),
      step('rag_search', 'ml-service', 'winners like the leader, and their shared patterns', {
        activities: ['best_ads_rag_search'],
      }),
      step('feedback_loop', ['meta-publisher', 'ml-service'], "the hour's signals into the model, and promotion", {
        writes: [
          'meta_ad_sets',
          'meta_api_calls',
          'feedback_events',
          'feedback_signals',
          'ad_posteriors',
          'promotions',
        ],
        activities: [
          'meta_insights_feedback',
          'hubspot_webhook_feedback',
          'dual_signal_feedback',
          'feedback_processing',
          'auto_promotion_trigger',
        ],
      }),
    ],
  }),
} as const;

export type FlowName = keyof typeof FLOWS;
export const FLOW_NAMES = Object.keys(FLOWS) as FlowName[];

export function isFlowName(name: string): name is FlowName {
  return Object.prototype.hasOwnProperty.call(FLOWS, name);
}

/** A flow's step definitions, by name. */
export function stepDefinition(flow: FlowName, name: string): StepDefinition | undefined {
  return (FLOWS[flow].definitions as readonly StepDefinition[]).find((s) => s.name === name);
}

/** The activities a step runs, in order. */
export function stepActivities(s: StepDefinition): readonly string[] {
  return s.activities ?? [s.name];
}

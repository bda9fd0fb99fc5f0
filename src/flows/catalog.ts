/**
 * The flow registry: every flow is registered here once, by name, and the CLI, the stress-run parent,
 * schedules and docs read it. Pure data, safe to import from workflow code.
 */
import { PRO_MODULES } from '../services/video-agent/pro-modules';

export interface FlowDefinition {
  /** The workflow type the stress-run parent starts for each flow. */
  workflowType: string;
  description: string;
  /** Step names in order, as they appear in history and in the result's step_analysis. */
  steps: readonly string[];
  /** Time scale: a platform hour lasts 3600 × timeScale real seconds. */
  defaults: { count: number; concurrency: number; timeScale: number };
}

export const FLOWS = {
  'creative-flow': {
    workflowType: 'creativeFlow',
    description: 'upload, scene extraction, CTR prediction, AI Council, render, SafeExecutor queue',
    steps: [
      'video_upload',
      'scene_extraction',
      'ctr_prediction',
      'council_evaluation',
      'video_rendering',
      'meta_queue',
    ],
    defaults: { count: 50, concurrency: 10, timeScale: 0.05 },
  },
  'budget-optimization': {
    workflowType: 'budgetOptimization',
    description: 'Meta insights, signed HubSpot webhooks, Thompson sampling, decision gate, SafeExecutor',
    steps: [
      'meta_insights_ingestion',
      'hubspot_webhook',
      'sampler_calculation',
      'decision_gate',
      'safe_executor_queue',
      'safe_executor_processing',
    ],
    // Its rules span platform hours (15 changes per account per hour, 20% per 6 h): a shorter hour keeps runs short.
    defaults: { count: 200, concurrency: 20, timeScale: 0.005 },
  },
  'self-learning-cycle': {
    workflowType: 'selfLearningCycle',
    description: 'the seven loops: actuals, accuracy, retrain, compound learning, promotion, cross-account, RAG',
    steps: [
      'actuals_fetcher',
      'accuracy_tracker',
      'auto_retrain',
      'compound_learning',
      'auto_promote',
      'cross_learning',
      'rag_indexing',
    ],
    defaults: { count: 20, concurrency: 5, timeScale: 0.05 },
  },
  'video-processing': {
    workflowType: 'videoProcessing',
    description: 'ingestion, scene detection, feature extraction, then the thirteen Pro modules of the Video Agent',
    steps: [
      'ingestion',
      'scene_detection',
      'feature_extraction',
      // The thirteen Pro modules, in the order the Video Agent applies them.
      ...PRO_MODULES,
    ],
    defaults: { count: 20, concurrency: 5, timeScale: 0.05 },
  },
  'ai-council': {
    workflowType: 'aiCouncil',
    description: 'battle plan, performance oracle, council vote with quorum, long-running Veo generation, pipeline',
    steps: ['director', 'oracle', 'council_of_titans', 'veo_director', 'ultimate_pipeline'],
    defaults: { count: 30, concurrency: 10, timeScale: 0.05 },
  },
  'rag-search': {
    workflowType: 'ragSearch',
    description: 'winner indexing, semantic and vector search, patterns, creative DNA, knowledge graph',
    steps: [
      'index_winner',
      'semantic_search',
      'pattern_extraction',
      'creative_dna_extraction',
      'knowledge_graph_update',
      'vector_search_performance',
    ],
    defaults: { count: 50, concurrency: 10, timeScale: 0.05 },
  },
  'pattern-prediction': {
    workflowType: 'patternPrediction',
    description: 'seeded dynamic questions to the pattern predictor, then the edits its answer suggests',
    steps: ['pattern_question', 'video_edit_operations'],
    defaults: { count: 50, concurrency: 10, timeScale: 0.05 },
  },
  'meta-api': {
    workflowType: 'metaApi',
    description: 'campaigns and ads on the simulated Meta API through the SafeExecutor and its limits',
    steps: [
      'campaign_creation',
      'ad_creation',
      'safe_executor_queue',
      'rate_limiting',
      'jitter_delay',
      'fuzzy_budget',
      'budget_velocity_limit',
      'ad_change_history',
    ],
    defaults: { count: 50, concurrency: 10, timeScale: 0.005 },
  },
  'realtime-feedback': {
    workflowType: 'realtimeFeedback',
    description: 'Meta insights and signed HubSpot events into the model, promotion, event-to-update latency',
    steps: [
      'meta_insights_feedback',
      'hubspot_webhook_feedback',
      'dual_signal_feedback',
      'feedback_processing',
      'auto_promotion_trigger',
      'feedback_latency',
    ],
    defaults: { count: 50, concurrency: 10, timeScale: 0.05 },
  },
  'database-operations': {
    workflowType: 'databaseOperations',
    description: 'CRUD, foreign keys, JSONB, rollback, concurrent writes, index use, SKIP LOCKED on the core tables',
    steps: [
      'crud',
      'foreign_keys',
      'jsonb',
      'transaction_rollback',
      'concurrent_writes',
      'index_performance',
      'skip_locked',
    ],
    defaults: { count: 50, concurrency: 10, timeScale: 0.05 },
  },
  'service-communication': {
    workflowType: 'serviceCommunication',
    description: 'the Gateway to every service, ML to Meta via the queue, HubSpot to ML, circuit breaker, backoff',
    steps: ['gateway_routing', 'ml_to_meta_queue', 'hubspot_to_ml_webhook', 'circuit_breaker', 'retry_backoff'],
    defaults: { count: 30, concurrency: 5, timeScale: 0.05 },
  },
  'best-ads-level': {
    workflowType: 'bestAdsLevel',
    description: 'budget allocation, RAG search and the feedback loop together for one ad set',
    steps: ['budget_allocation', 'rag_search', 'feedback_loop'],
    defaults: { count: 30, concurrency: 5, timeScale: 0.05 },
  },
} as const satisfies Record<string, FlowDefinition>;

export type FlowName = keyof typeof FLOWS;
export const FLOW_NAMES = Object.keys(FLOWS) as FlowName[];

export function isFlowName(name: string): name is FlowName {
  return Object.prototype.hasOwnProperty.call(FLOWS, name);
}

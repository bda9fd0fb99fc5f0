/**
 * The flow registry: every flow is registered here once, by name, and the CLI, the stress-run parent,
 * schedules and docs read it. Pure data, safe to import from workflow code.
 */
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
} as const satisfies Record<string, FlowDefinition>;

export type FlowName = keyof typeof FLOWS;
export const FLOW_NAMES = Object.keys(FLOWS) as FlowName[];

export function isFlowName(name: string): name is FlowName {
  return Object.prototype.hasOwnProperty.call(FLOWS, name);
}

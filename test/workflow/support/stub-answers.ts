/** The STUB activities' default answers: plausible values that take every flow down its full path. */
import type { ModuleResult } from '../../../src/activities/video-processing';
import type { ChangeAudit } from '../../../src/activities/meta-api';
import type { CallContext } from '../../../src/flows/types';
import { PRO_MODULES, type ProModule } from '../../../src/contracts/video-agent-modules';
import type { Answers } from './stubs';

/** An id made from the call's idempotency key, so a flow's refs are its own. */
const id = (ctx: CallContext, prefix: string) => `${prefix}_${ctx.key}`;

/** A change the SafeExecutor executed within every rule the meta-api flow checks. */
export function executedAudit(changeId: string): ChangeAudit {
  return {
    id: changeId,
    status: 'executed',
    change_type: 'budget_update',
    ad_account_id: 'act_1',
    ad_set_id: 'as_1',
    attempts: 1,
    last_error: null,
    jitter_seconds: 7.5,
    waited_seconds: 8,
    rules: { requested: 110, current: 100, velocity_low: 80, velocity_high: 120, target: 110, applied: 110.23 },
    new_value: { daily_budget: 110.23, ad_id: `ad_${changeId}` },
    history_rows: 1,
    account_max_changes_per_hour: 2,
    velocity_spread: 1.1,
  };
}

const moduleAnswer =
  (module: ProModule) =>
  (_ctx: CallContext, input: { render_job_id: string }): ModuleResult => ({
    render_job_id: input.render_job_id,
    module,
    status: module === 'winning_ad_generation' ? 'completed' : 'rendering',
    output_video_id: module === 'winning_ad_generation' ? `out_${input.render_job_id}` : null,
    output: {},
  });
const modules = Object.fromEntries(PRO_MODULES.map((m) => [m, moduleAnswer(m)])) as unknown as Pick<
  Answers,
  Exclude<ProModule, 'winning_ad_generation'>
>;

const ads = { ad_a: 0.6, ad_b: 0.4 };
const queued = (ctx: CallContext) => ({ change_id: id(ctx, 'chg'), status: 'queued' });

export const STUB_ANSWERS: Answers = {
  // creative-flow
  video_upload: (ctx) => ({ video_id: id(ctx, 'vid'), created: true }),
  scene_extraction: () => ({ scene_count: 4, features: {} }),
  ctr_prediction: (ctx) => ({ prediction_id: id(ctx, 'pred'), predicted_ctr: 0.021, model_version: 'v1' }),
  council_evaluation: (ctx) => ({ blueprint_id: id(ctx, 'bp'), verdict: 'approved', score: 0.8 }),
  video_rendering: (ctx) => ({ render_job_id: id(ctx, 'rj'), status: 'completed', output_video_id: id(ctx, 'out') }),
  meta_queue: queued,
  // budget-optimization
  meta_insights_ingestion: () => ({
    rows: Object.keys(ads).map((ad_id) => ({ ad_id, impressions: 1000, clicks: 20, spend: 10 })),
    impressions: 2000,
  }),
  hubspot_webhook: () => ({ deals: 2, stored: 2 }),
  sampler_calculation: () => ({
    split: ads,
    probability_best: 0.7,
    current_budget: 100,
    proposed_budget: 110,
    impressions: 2000,
    spend: 20,
  }),
  decision_gate: (ctx) => ({ decision_id: id(ctx, 'dec'), decision: 'approve', reason: 'confident', budget: 110 }),
  safe_executor_queue: queued,
  change_status: () => ({ status: 'executed', last_error: null, executed_at: new Date(0).toISOString() }),
  // self-learning-cycle
  actuals_fetcher: (ctx) => ({ model_version: 'v1', predictions_key: ctx.key, stored: 10 }),
  accuracy_tracker: (ctx) => ({
    learning_cycle_id: id(ctx, 'lc'),
    model_version: 'v1',
    mae: 0.002,
    calibration: 1.1,
    samples: 10,
  }),
  auto_retrain: () => ({ retrained: true, model_version: 'v2', trained_rows: 10 }),
  compound_learning: () => ({ patterns: 3 }),
  auto_promote: (ctx) => ({ promotions_key: ctx.key, promoted: 1 }),
  cross_learning: () => ({ patterns: 2 }),
  rag_indexing: () => ({ winners: 1, indexed: 1 }),
  // video-processing
  ingestion: (ctx) => ({ video_id: id(ctx, 'vid'), media: {}, created: true }),
  scene_detection: () => ({ scene_count: 4 }),
  feature_extraction: () => ({ object_labels: ['face'], ocr_texts: 1, transcript_words: 20, speech_ratio: 0.5 }),
  render_job_open: (ctx) => ({ render_job_id: id(ctx, 'rj'), status: 'queued' }),
  ...modules,
  winning_ad_generation: (ctx, input) => ({ ...moduleAnswer('winning_ad_generation')(ctx, input), resumed_from: 0 }),
  // ai-council
  director: (ctx) => ({
    blueprint_id: id(ctx, 'bp'),
    storyboard_video_id: id(ctx, 'sb'),
    plan: { angle: 'problem-solution', hook: 'question' },
  }),
  oracle: (ctx) => ({ prediction_id: id(ctx, 'pred'), predicted_ctr: 0.02, model_version: 'v1' }),
  council_of_titans: () => ({ verdict: 'approved', score: 0.8, approvals: 3, quorum: 3 }),
  // A generation still running, so the flow waits for it durably; the status check finds it done.
  veo_director: (ctx) => ({ veo_job_id: id(ctx, 'veo'), status: 'running', video_id: null, remaining_ms: 0 }),
  veo_director_status: (_ctx, veoJobId) => ({
    veo_job_id: veoJobId,
    status: 'completed',
    video_id: `vid_${veoJobId}`,
    remaining_ms: 0,
  }),
  ultimate_pipeline: (ctx) => ({ render_job_id: id(ctx, 'rj'), status: 'completed', output_video_id: id(ctx, 'out') }),
  // rag-search
  index_winner: (ctx) => ({
    query: 'ugc unboxing',
    winner_id: id(ctx, 'win'),
    ad_id: id(ctx, 'ad'),
    asset_key: id(ctx, 'asset'),
    created: true,
  }),
  semantic_search: () => ({ cache: 'miss', results: [{ winner_id: 'win_1', ad_id: 'ad_1', distance: 0.1 }] }),
  pattern_extraction: (ctx) => ({ extraction_id: id(ctx, 'ext'), neighbors: 10, enriched: ['hook_opening'] }),
  creative_dna_extraction: (ctx) => ({ dna_id: id(ctx, 'dna'), video_id: id(ctx, 'vid'), asset_key: id(ctx, 'asset') }),
  knowledge_graph_update: () => ({ creative_node_id: 1, nodes: 4, edges: 3 }),
  vector_search_performance: (ctx) => ({
    benchmark_id: id(ctx, 'bench'),
    corpus_size: 100,
    recall_at_k: 0.95,
    index_used: true,
    index_p50_ms: 1,
    index_p95_ms: 2,
    brute_force_p50_ms: 5,
  }),
  // pattern-prediction
  pattern_question: (ctx) => ({
    answer_id: id(ctx, 'ans'),
    answerable: true,
    summary: 'hook openings lift CTR',
    predictions: [],
    suggested_edits: [{ module: 'jump_cuts', params: { min_pause_s: 0.3 }, because: 'hook_opening' }],
  }),
  video_edit_operations: (ctx) => ({
    video_id: id(ctx, 'vid'),
    render_job_id: id(ctx, 'rj'),
    applied: [{ module: 'jump_cuts', output: {} }],
  }),
  // meta-api
  campaign_creation: (ctx) => ({ campaign_id: id(ctx, 'cmp'), ad_set_id: id(ctx, 'as') }),
  ad_creation: queued,
  meta_change_audit: (_ctx, changeId) => executedAudit(changeId),
  // realtime-feedback
  meta_insights_feedback: () => ({ clicks: { ad_a: 20, ad_b: 10 }, stored: 2 }),
  hubspot_webhook_feedback: () => ({ deals: 2, stored: 2 }),
  dual_signal_feedback: () => ({
    signals: [{ ad_id: 'ad_a', impressions: 1000, clicks: 20, conversions: 2, revenue: 200 }],
  }),
  feedback_processing: () => ({
    model_version: 2,
    signals: 1,
    posteriors: [{ ad_id: 'ad_a', impressions: 1000, clicks: 20, ctr_mean: 0.02 }],
  }),
  auto_promotion_trigger: (ctx) => ({
    promotion_id: id(ctx, 'promo'),
    decision: 'promote',
    ad_id: 'ad_a',
    probability_best: 0.9,
    reason: 'best by its posterior',
  }),
  feedback_latency: () => ({
    sources: [
      { source: 'meta', events: 2, processed: 2, max_ms: 40, min_ms: 10, avg_ms: 25 },
      { source: 'hubspot', events: 2, processed: 2, max_ms: 60, min_ms: 20, avg_ms: 40 },
    ],
  }),
  // database-operations
  db_crud: (ctx) => ({ campaign_id: id(ctx, 'cmp'), created_temp: true }),
  db_foreign_keys: () => ({ refused_with: '23503' }),
  db_jsonb: (ctx) => ({ video_id: id(ctx, 'vid') }),
  db_transaction_rollback: () => ({ refused_with: '23505' }),
  db_concurrent_writes: () => ({ writers: 8, final: 8, ms: 5 }),
  db_index_performance: () => ({ plans: { campaigns: 'Index Scan' } }),
  db_skip_locked: () => ({ rows: 12, claimers_with_rows: 4 }),
  // service-communication
  gateway_routing: () => ({ ms: 2 }),
  ml_to_meta_queue: queued,
  hubspot_to_ml_webhook: () => ({ stored_now: 1 }),
  hubspot_forged_webhook: () => ({ status: 401 }),
  circuit_breaker_trip: () => ({ states: ['closed', 'open'], failures_to_open: 5, fail_fast_ms: 1, open_ms: 20 }),
  circuit_breaker_probe: () => ({ before: 'half_open', after: 'closed' }),
  retry_backoff: () => ({ planned_ms: [100, 200], caps_ms: [100, 200], slept_ms: [100, 200], call_ms: 3 }),
  // best-ads-level
  best_ads_rag_search: () => ({ similar: ['win_1', 'win_2'], shared_patterns: ['hook_opening'], cache: 'miss' }),
};

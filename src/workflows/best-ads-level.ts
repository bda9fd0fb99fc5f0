import { workflowInfo } from '@temporalio/workflow';
import type { FlowInput, FlowOutcome } from '../flows/types';
import { adSetOfFlow } from '../market/market';
import { StepRecorder } from './steps';

const SIMILAR_WINNERS = 5;
/**
 * One ad set at the level of its best ads, the three systems together: budget allocation (its Meta
 * insights, then the Thompson sampler's split and leader), RAG search (winners like the leader, and the
 * patterns they share), then the feedback loop (the hour's Meta and signed HubSpot signals into the
 * model, and the promotion decision it triggers). Each step runs the calls of the flow that owns them.
 */
export async function bestAdsLevel(input: FlowInput): Promise<FlowOutcome> {
  const steps = new StepRecorder('best-ads-level', input);
  const { adSet, round } = adSetOfFlow(input.seed, input.index);
  const at = { seed: input.seed, ad_set_id: adSet.adSetId, round };
  steps.refs.ad_set_id = adSet.adSetId;
  let measurements: Record<string, number> | undefined;

  const outcome = await steps.guard(async () => {
    const allocation = await steps.run('budget_allocation', async (step) => {
      const [meta, ml] = step.contexts('insights');
      const insights = await step.call('meta_insights_ingestion', meta, ml, at);
      const split = await step.call('sampler_calculation', step.ctx('ml-service', 'sampler'), at);
      const [leader] = Object.entries(split.split).sort((a, b) => b[1] - a[1])[0];
      return { ...split, leader, impressions: insights.impressions };
    });
    steps.refs.leader = allocation.leader;

    const similar = await steps.call('rag_search', { ad_id: allocation.leader, k: SIMILAR_WINNERS });
    steps.refs.shared_patterns = similar.shared_patterns.join(',');

    const promotion = await steps.run('feedback_loop', async (step) => {
      const flow_key = workflowInfo().workflowId;
      const batch = { flow_key, seed: input.seed, ad_set_id: adSet.adSetId, round };
      const [meta, ml] = step.contexts('meta');
      const delivered = await step.call('meta_insights_feedback', meta, ml, { ...batch, occurred_at: Date.now() });
      await step.call('hubspot_webhook_feedback', step.ctx('ml-service', 'hubspot'), {
        ...batch,
        occurred_at: Date.now(),
        clicks: delivered.clicks,
      });
      const target = { flow_key, ad_set_id: adSet.adSetId };
      await step.call('dual_signal_feedback', step.ctx('ml-service', 'dual'), target);
      const model = await step.call('feedback_processing', step.ctx('ml-service', 'process'), target);
      const decision = await step.call('auto_promotion_trigger', step.ctx('ml-service', 'promote'), {
        ...target,
        round,
      });
      return { ...decision, model_version: model.model_version };
    });
    steps.refs.promotion = `${promotion.decision} ${promotion.ad_id}`;
    // Percentages, so the result's histograms (2% buckets) keep their resolution.
    measurements = {
      leader_probability_best_pct: Math.round(allocation.probability_best * 1000) / 10,
      similar_winners: similar.similar.length,
      // Whether the feedback loop promoted the ad the sampler funds most: the average is the share that did.
      leader_promoted_pct: promotion.decision === 'promote' && promotion.ad_id === allocation.leader ? 100 : 0,
    };
    return steps.outcome('completed');
  });
  return measurements ? { ...outcome, measurements } : outcome;
}

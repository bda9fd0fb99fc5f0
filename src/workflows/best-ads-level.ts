import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { subContext } from '../flows/call-context';
import type { FlowInput, FlowOutcome } from '../flows/types';
import { adSetOfFlow } from '../market/market';
import { STEP_PRESETS } from './step-options';
import { CallTally, StepRecorder } from './steps';

const fast = proxyActivities<Activities>(STEP_PRESETS.fastCall);
const ATTEMPTS = STEP_PRESETS.fastCall.retry.maximumAttempts;
const SIMILAR_WINNERS = 5;

/**
 * One ad set at the level of its best ads, the three systems together: budget allocation (its Meta
 * insights, then the Thompson sampler's split and leader), RAG search (winners like the leader, and the
 * patterns they share), then the feedback loop (the hour's Meta and signed HubSpot signals into the
 * model, and the promotion decision it triggers). Each step runs the calls of the flow that owns them.
 */
export async function bestAdsLevel(input: FlowInput): Promise<FlowOutcome> {
  const steps = new StepRecorder(input.sim);
  const { adSet, round } = adSetOfFlow(input.seed, input.index);
  const at = { seed: input.seed, ad_set_id: adSet.adSetId, round };
  steps.refs.ad_set_id = adSet.adSetId;
  let measurements: Record<string, number> | undefined;

  const outcome = await steps.guard(async () => {
    const allocation = await steps.run('budget_allocation', ATTEMPTS, async () => {
      const meta = steps.context('budget_allocation', 'meta-publisher');
      const ml = steps.context('budget_allocation', 'ml-service');
      const tally = new CallTally();
      const insights = await tally.add(
        fast.meta_insights_ingestion(subContext(meta, 'insights'), subContext(ml, 'insights'), at),
      );
      const split = await tally.add(fast.sampler_calculation(subContext(ml, 'sampler'), at));
      const [leader] = Object.entries(split.split).sort((a, b) => b[1] - a[1])[0];
      return tally.done({ ...split, leader, impressions: insights.impressions });
    });
    steps.refs.leader = allocation.leader;

    const similar = await steps.run('rag_search', ATTEMPTS, () =>
      fast.best_ads_rag_search(steps.context('rag_search', 'ml-service'), {
        ad_id: allocation.leader,
        k: SIMILAR_WINNERS,
      }),
    );
    steps.refs.shared_patterns = similar.shared_patterns.join(',');

    const promotion = await steps.run('feedback_loop', ATTEMPTS, async () => {
      const meta = steps.context('feedback_loop', 'meta-publisher');
      const ml = steps.context('feedback_loop', 'ml-service');
      const flow_key = workflowInfo().workflowId;
      const batch = { flow_key, seed: input.seed, ad_set_id: adSet.adSetId, round };
      const tally = new CallTally();
      const delivered = await tally.add(
        fast.meta_insights_feedback(subContext(meta, 'meta'), subContext(ml, 'meta'), {
          ...batch,
          occurred_at: Date.now(),
        }),
      );
      await tally.add(
        fast.hubspot_webhook_feedback(subContext(ml, 'hubspot'), {
          ...batch,
          occurred_at: Date.now(),
          clicks: delivered.clicks,
        }),
      );
      const target = { flow_key, ad_set_id: adSet.adSetId };
      await tally.add(fast.dual_signal_feedback(subContext(ml, 'dual'), target));
      const model = await tally.add(fast.feedback_processing(subContext(ml, 'process'), target));
      const decision = await tally.add(fast.auto_promotion_trigger(subContext(ml, 'promote'), { ...target, round }));
      return tally.done({ ...decision, model_version: model.model_version });
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

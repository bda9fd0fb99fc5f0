import { ApplicationFailure, workflowInfo } from '@temporalio/workflow';
import type { FlowInput, FlowOutcome } from '../flows/types';
import { adSetOfFlow } from '../market/market';
import { StepRecorder } from './steps';

/**
 * One hour of feedback for one ad set, in real time: Meta's delivery and HubSpot's signed deal events go to
 * the ML Service, are joined per ad, applied to the ads' posteriors, and may trigger a promotion. The flow
 * then reads back, per event, the time from the event to the model update that took it in, and reports it
 * as its measurements (feedback_latency_ms: the slowest of its events).
 */
export async function realtimeFeedback(input: FlowInput): Promise<FlowOutcome> {
  const steps = new StepRecorder('realtime-feedback', input);
  const { adSet, round } = adSetOfFlow(input.seed, input.index);
  const flowKey = workflowInfo().workflowId;
  const base = { flow_key: flowKey, seed: input.seed, ad_set_id: adSet.adSetId, round };
  steps.refs.ad_set_id = adSet.adSetId;
  let measurements: Record<string, number> | undefined;

  const outcome = await steps.guard(async () => {
    // Event times come from the workflow's clock, so a retried delivery carries the same events.
    const meta = await steps.call('meta_insights_feedback', { ...base, occurred_at: Date.now() });
    await steps.call('hubspot_webhook_feedback', { ...base, occurred_at: Date.now(), clicks: meta.clicks });
    const target = { flow_key: flowKey, ad_set_id: adSet.adSetId };
    await steps.call('dual_signal_feedback', target);
    const model = await steps.call('feedback_processing', target);
    steps.refs.model_version = String(model.model_version);
    const promotion = await steps.call('auto_promotion_trigger', { ...target, round: base.round });
    steps.refs.promotion_id = promotion.promotion_id;
    steps.refs.promotion = `${promotion.decision} ${promotion.ad_id}`;

    const latency = await steps.run('feedback_latency', async (step) => {
      const answer = await step.call('feedback_latency', step.ctx('ml-service'), flowKey);
      if (!answer.sources.length) throw ApplicationFailure.nonRetryable('no feedback events recorded');
      for (const s of answer.sources) {
        if (s.processed !== s.events)
          throw ApplicationFailure.nonRetryable(`${s.events - s.processed} ${s.source} events never reached the model`);
        if (!(Number(s.min_ms) > 0))
          throw ApplicationFailure.nonRetryable(`${s.source} events reached the model before they happened`);
      }
      return answer;
    });
    measurements = Object.fromEntries(
      latency.sources.map((s) => [`${s.source}_feedback_latency_ms`, Number(s.max_ms)]),
    );
    measurements.feedback_latency_ms = Math.max(...latency.sources.map((s) => Number(s.max_ms)));
    return steps.outcome('completed');
  });
  return measurements ? { ...outcome, measurements } : outcome;
}

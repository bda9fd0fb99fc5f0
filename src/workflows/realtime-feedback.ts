import { ApplicationFailure, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { FlowInput, FlowOutcome } from '../flows/types';
import { adSetOfFlow } from '../market/market';
import { STEP_PRESETS } from './step-options';
import { StepRecorder } from './steps';

const fast = proxyActivities<Activities>(STEP_PRESETS.fastCall);
const ATTEMPTS = STEP_PRESETS.fastCall.retry.maximumAttempts;

/**
 * One hour of feedback for one ad set, in real time: Meta's delivery and HubSpot's signed deal events go to
 * the ML Service, are joined per ad, applied to the ads' posteriors, and may trigger a promotion. The flow
 * then reads back, per event, the time from the event to the model update that took it in, and reports it
 * as its measurements (feedback_latency_ms: the slowest of its events).
 */
export async function realtimeFeedback(input: FlowInput): Promise<FlowOutcome> {
  const steps = new StepRecorder(input.sim);
  const { adSet, round } = adSetOfFlow(input.seed, input.index);
  const flowKey = workflowInfo().workflowId;
  const base = {
    flow_key: flowKey,
    seed: input.seed,
    ad_set_id: adSet.adSetId,
    round,
  };
  steps.refs.ad_set_id = adSet.adSetId;
  let measurements: Record<string, number> | undefined;

  const outcome = await steps.guard(async () => {
    // Event times come from the workflow's clock, so a retried delivery carries the same events.
    const meta = await steps.run('meta_insights_feedback', ATTEMPTS, () =>
      fast.meta_insights_feedback(
        steps.context('meta_insights_feedback', 'meta-publisher'),
        steps.context('meta_insights_feedback', 'ml-service'),
        { ...base, occurred_at: Date.now() },
      ),
    );
    await steps.run('hubspot_webhook_feedback', ATTEMPTS, () =>
      fast.hubspot_webhook_feedback(steps.context('hubspot_webhook_feedback', 'ml-service'), {
        ...base,
        occurred_at: Date.now(),
        clicks: meta.clicks,
      }),
    );
    const target = { flow_key: flowKey, ad_set_id: adSet.adSetId };
    await steps.run('dual_signal_feedback', ATTEMPTS, () =>
      fast.dual_signal_feedback(steps.context('dual_signal_feedback', 'ml-service'), target),
    );
    const model = await steps.run('feedback_processing', ATTEMPTS, () =>
      fast.feedback_processing(steps.context('feedback_processing', 'ml-service'), target),
    );
    steps.refs.model_version = String(model.model_version);
    const promotion = await steps.run('auto_promotion_trigger', ATTEMPTS, () =>
      fast.auto_promotion_trigger(steps.context('auto_promotion_trigger', 'ml-service'), {
        ...target,
        round: base.round,
      }),
    );
    steps.refs.promotion_id = promotion.promotion_id;
    steps.refs.promotion = `${promotion.decision} ${promotion.ad_id}`;

    const latency = await steps.run('feedback_latency', ATTEMPTS, async () => {
      const answer = await fast.feedback_latency(steps.context('feedback_latency', 'ml-service'), flowKey);
      if (!answer.value.sources.length) throw ApplicationFailure.nonRetryable('no feedback events recorded');
      for (const s of answer.value.sources) {
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

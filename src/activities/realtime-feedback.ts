import type { CallContext } from '../flows/types';
import { hashSeed } from '../stats/random';
import { FEEDBACK_REF_PROPERTY } from '../contracts/ml-service';
import type { ActivityDeps } from './deps';
import { attempted, callService } from './http';
import { adSetInsightsPath, readInsights } from './meta-insights';
import { deliverClosedWon } from './hubspot-delivery';

/** One flow's feedback batch: the ad set and Meta hour it is about, and when its events happened (epoch ms). */
export interface FeedbackBatch {
  flow_key: string;
  seed: number;
  ad_set_id: string;
  round: number;
  occurred_at: number;
}

/** Where the ML Service's realtime webhook lives, as HubSpot would call it (the signature covers this URI). */
const WEBHOOK_PATH = '/webhooks/hubspot/realtime';

type AdSetInput = { flow_key: string; ad_set_id: string };

/** Meta's delivery for the hour (Graph strings parsed), handed to the ML Service as feedback events. */
async function metaInsightsFeedback(deps: ActivityDeps, meta: CallContext, ml: CallContext, batch: FeedbackBatch) {
  const { rows } = await readInsights(deps, meta, adSetInsightsPath(batch));
  const answer = await callService<{ stored: number }>(
    deps,
    'ml-service',
    ml,
    'POST',
    '/feedback/realtime/meta-insights',
    { flow_key: batch.flow_key, ad_set_id: batch.ad_set_id, occurred_at: batch.occurred_at, rows },
  );
  return { clicks: Object.fromEntries(rows.map((r) => [r.ad_id, r.clicks])), stored: answer.stored };
}

/** The hour's closed-won deals from those clicks, as HubSpot delivers them: a signed (v3) webhook. */
function hubspotWebhookFeedback(
  deps: ActivityDeps,
  ml: CallContext,
  batch: FeedbackBatch & { clicks: Record<string, number> },
) {
  return deliverClosedWon(deps, ml, WEBHOOK_PATH, batch, (deal) => ({
    // Deals are this flow's own: two flows replaying one market hour must not share event ids, or
    // the receiver's dedupe could drop one flow's events as the other's redelivery.
    deal_id: 9_000_000_000 + (hashSeed(`${batch.flow_key}:${deal.deal_id}`) % 1_000_000_000),
    occurred_at: batch.occurred_at,
    extra: [[FEEDBACK_REF_PROPERTY, batch.flow_key]],
  }));
}

interface DualSignals {
  signals: Array<{ ad_id: string; impressions: number; clicks: number; conversions: number; revenue: number }>;
}

interface ProcessedFeedback {
  model_version: number;
  signals: number;
  posteriors: Array<{ ad_id: string; impressions: number; clicks: number; ctr_mean: number }>;
}

interface Promotion {
  promotion_id: string;
  decision: 'promote' | 'hold';
  ad_id: string;
  probability_best: number;
  reason: string;
}

interface FeedbackLatency {
  sources: Array<{
    source: 'meta' | 'hubspot';
    events: number;
    processed: number;
    max_ms: number | null;
    min_ms: number | null;
    avg_ms: number | null;
  }>;
}

/** The realtime-feedback flow's calls: Meta and HubSpot events in, then the ML Service's model steps. */
export function createRealtimeFeedbackActivities(deps: ActivityDeps) {
  return {
    meta_insights_feedback: (meta: CallContext, ml: CallContext, batch: FeedbackBatch) =>
      attempted(() => metaInsightsFeedback(deps, meta, ml, batch)),
    hubspot_webhook_feedback: (ml: CallContext, batch: FeedbackBatch & { clicks: Record<string, number> }) =>
      attempted(() => hubspotWebhookFeedback(deps, ml, batch)),
    dual_signal_feedback: (ml: CallContext, input: AdSetInput) =>
      attempted(() =>
        callService<DualSignals>(deps, 'ml-service', ml, 'POST', '/feedback/realtime/dual-signal', input),
      ),
    feedback_processing: (ml: CallContext, input: AdSetInput) =>
      attempted(() =>
        callService<ProcessedFeedback>(deps, 'ml-service', ml, 'POST', '/feedback/realtime/process', input),
      ),
    auto_promotion_trigger: (ml: CallContext, input: { flow_key: string; ad_set_id: string; round: number }) =>
      attempted(() => callService<Promotion>(deps, 'ml-service', ml, 'POST', '/feedback/realtime/promotion', input)),
    feedback_latency: (ml: CallContext, flowKey: string) =>
      attempted(() =>
        callService<FeedbackLatency>(
          deps,
          'ml-service',
          ml,
          'GET',
          `/feedback/realtime/latency?flow_key=${encodeURIComponent(flowKey)}`,
        ),
      ),
  };
}

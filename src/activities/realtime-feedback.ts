import { Context } from '@temporalio/activity';
import type { CallContext } from '../flows/types';
import { closedDeals, marketFor } from '../market/market';
import { hashSeed } from '../stats/random';
import { hubspotSecret, HUBSPOT_HEADERS, signV3 } from '../services/shared/hubspot-signature';
import { FEEDBACK_REF_PROPERTY } from '../services/ml-service/realtime-feedback';
import type { ActivityDeps } from './deps';
import { attempted, callService } from './http';

interface GraphInsights {
  data: Array<{ ad_id: string; impressions: string; clicks: string; spend: string }>;
}

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

/** The realtime-feedback flow's calls: Meta and HubSpot events in, then the ML Service's model steps. */
export function createRealtimeFeedbackActivities(deps: ActivityDeps) {
  return {
    /** Meta's delivery for the hour (Graph strings parsed), handed to the ML Service as feedback events. */
    meta_insights_feedback: (meta: CallContext, ml: CallContext, batch: FeedbackBatch) =>
      attempted(async () => {
        const insights = await callService<GraphInsights>(
          deps,
          'meta-publisher',
          meta,
          'GET',
          `/v19.0/${batch.ad_set_id}/insights?level=ad&seed=${batch.seed}&round=${batch.round}`,
        );
        const rows = insights.data.map((r) => ({
          ad_id: r.ad_id,
          impressions: Number(r.impressions),
          clicks: Number(r.clicks),
          spend: Number(r.spend),
        }));
        const answer = await callService<{ stored: number }>(
          deps,
          'ml-service',
          ml,
          'POST',
          '/feedback/realtime/meta-insights',
          { flow_key: batch.flow_key, ad_set_id: batch.ad_set_id, occurred_at: batch.occurred_at, rows },
        );
        return { clicks: Object.fromEntries(rows.map((r) => [r.ad_id, r.clicks])), stored: answer.stored };
      }),

    /** The hour's closed-won deals from those clicks, as HubSpot delivers them: a signed (v3) webhook. */
    hubspot_webhook_feedback: (ml: CallContext, batch: FeedbackBatch & { clicks: Record<string, number> }) =>
      attempted(async () => {
        const adSet = marketFor(batch.seed).find((s) => s.adSetId === batch.ad_set_id)!;
        const attemptNumber = Context.current().info.attempt - 1;
        const events = adSet.ads.flatMap((ad) =>
          closedDeals(batch.seed, ad, batch.clicks[ad.adId] ?? 0, batch.round).flatMap((deal) => {
            // Deals are this flow's own: two flows replaying one market hour must not share event ids, or
            // the receiver's dedupe could drop one flow's events as the other's redelivery.
            const dealId = 9_000_000_000 + (hashSeed(`${batch.flow_key}:${deal.dealId}`) % 1_000_000_000);
            const base = {
              subscriptionType: 'deal.propertyChange',
              objectId: dealId,
              occurredAt: batch.occurred_at,
              attemptNumber,
              portalId: 62515,
              appId: 1,
            };
            const props: Array<[string, string]> = [
              ['gv_ad_id', ad.adId],
              [FEEDBACK_REF_PROPERTY, batch.flow_key],
              ['amount', String(deal.amount)],
              ['dealstage', 'closedwon'],
            ];
            return props.map(([propertyName, propertyValue], i) => ({
              ...base,
              eventId: dealId * 10 + i + 1,
              propertyName,
              propertyValue,
            }));
          }),
        );
        if (!events.length) return { deals: 0, stored: 0 };
        // A delivery holds at most 100 events: larger batches go in several signed deliveries.
        let stored = 0;
        for (let i = 0; i < events.length; i += 100) {
          const body = JSON.stringify(events.slice(i, i + 100));
          const timestamp = String(Date.now());
          const answer = await callService<{ stored: number }>(
            deps,
            'ml-service',
            ml,
            'POST',
            WEBHOOK_PATH,
            body,
            20_000,
            {
              [HUBSPOT_HEADERS.signature]: signV3(
                hubspotSecret(),
                'POST',
                `${deps.services['ml-service']}${WEBHOOK_PATH}`,
                body,
                timestamp,
              ),
              [HUBSPOT_HEADERS.timestamp]: timestamp,
            },
          );
          stored += answer.stored;
        }
        return { deals: events.length / 4, stored };
      }),

    dual_signal_feedback: (ml: CallContext, input: { flow_key: string; ad_set_id: string }) =>
      attempted(() =>
        callService<{
          signals: Array<{ ad_id: string; impressions: number; clicks: number; conversions: number; revenue: number }>;
        }>(deps, 'ml-service', ml, 'POST', '/feedback/realtime/dual-signal', input),
      ),

    feedback_processing: (ml: CallContext, input: { flow_key: string; ad_set_id: string }) =>
      attempted(() =>
        callService<{
          model_version: number;
          signals: number;
          posteriors: Array<{ ad_id: string; impressions: number; clicks: number; ctr_mean: number }>;
        }>(deps, 'ml-service', ml, 'POST', '/feedback/realtime/process', input),
      ),

    auto_promotion_trigger: (ml: CallContext, input: { flow_key: string; ad_set_id: string; round: number }) =>
      attempted(() =>
        callService<{
          promotion_id: string;
          decision: 'promote' | 'hold';
          ad_id: string;
          probability_best: number;
          reason: string;
        }>(deps, 'ml-service', ml, 'POST', '/feedback/realtime/promotion', input),
      ),

    feedback_latency: (ml: CallContext, flowKey: string) =>
      attempted(() =>
        callService<{
          sources: Array<{
            source: 'meta' | 'hubspot';
            events: number;
            processed: number;
            max_ms: number | null;
            min_ms: number | null;
            avg_ms: number | null;
          }>;
        }>(deps, 'ml-service', ml, 'GET', `/feedback/realtime/latency?flow_key=${encodeURIComponent(flowKey)}`),
      ),
  };
}

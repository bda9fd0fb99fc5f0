import { Context } from '@temporalio/activity';
import { closedDeals, marketFor, marketHour } from '../market/market';
import type { CallContext } from '../flows/types';
import { hubspotSecret, HUBSPOT_HEADERS, signV3 } from '../services/shared/hubspot-signature';
import { attempted, callService, type HttpDeps } from './http';
import { queueChange } from './shared-calls';
import { ingestInsights } from './meta-insights';

export interface AdSetRound {
  seed: number;
  ad_set_id: string;
  round: number;
}

/** The budget optimization flow's calls, one activity per step. */
export function createBudgetActivities(deps: HttpDeps) {
  return {
    /** Meta's insights for the ad set's platform hour, parsed from Graph strings and handed to the ML Service. */
    meta_insights_ingestion: (meta: CallContext, ml: CallContext, input: AdSetRound) =>
      attempted(async () => {
        const { rows } = await ingestInsights(
          deps,
          meta,
          ml,
          `/v19.0/${input.ad_set_id}/insights?level=ad&seed=${input.seed}&round=${input.round}`,
        );
        return { rows, impressions: rows.reduce((s, r) => s + r.impressions, 0) };
      }),

    /**
     * HubSpot's side: the hour's closed-won deals from those clicks, delivered as a signed webhook (v3). A 5xx
     * makes Temporal retry the delivery, as HubSpot retries; the attempt number goes into the events.
     */
    hubspot_webhook: (ml: CallContext, input: AdSetRound & { clicks: Record<string, number> }) =>
      attempted(async () => {
        const adSet = marketFor(input.seed).find((s) => s.adSetId === input.ad_set_id)!;
        // HubSpot numbers its deliveries' attempts from 0.
        const attemptNumber = Context.current().info.attempt - 1;
        const events = adSet.ads.flatMap((ad) =>
          closedDeals(input.seed, ad, input.clicks[ad.adId] ?? 0, input.round).flatMap((deal, i) => {
            const occurredAt = marketHour(input.round).start + 60_000 * (i + 1);
            const base = {
              subscriptionType: 'deal.propertyChange',
              objectId: deal.dealId,
              occurredAt,
              attemptNumber,
              portalId: 62515,
              appId: 1,
            };
            return [
              { ...base, eventId: deal.dealId * 10 + 1, propertyName: 'gv_ad_id', propertyValue: ad.adId },
              { ...base, eventId: deal.dealId * 10 + 2, propertyName: 'amount', propertyValue: String(deal.amount) },
              { ...base, eventId: deal.dealId * 10 + 3, propertyName: 'dealstage', propertyValue: 'closedwon' },
            ];
          }),
        );
        if (!events.length) return { deals: 0, stored: 0 };
        const body = JSON.stringify(events);
        const timestamp = String(Date.now());
        const uri = `${deps.services['ml-service']}/webhooks/hubspot`;
        const answer = await callService<{ stored: number; closed_won: number }>(
          deps,
          'ml-service',
          ml,
          'POST',
          '/webhooks/hubspot',
          body,
          20_000,
          {
            [HUBSPOT_HEADERS.signature]: signV3(hubspotSecret(), 'POST', uri, body, timestamp),
            [HUBSPOT_HEADERS.timestamp]: timestamp,
          },
        );
        return { deals: events.length / 3, stored: answer.stored };
      }),

    sampler_calculation: (ml: CallContext, input: AdSetRound) =>
      attempted(() =>
        callService<{
          split: Record<string, number>;
          probability_best: number;
          current_budget: number;
          proposed_budget: number;
          impressions: number;
          spend: number;
        }>(deps, 'ml-service', ml, 'POST', '/sampler/allocate', input),
      ),

    decision_gate: (
      ml: CallContext,
      input: {
        ad_set_id: string;
        split: Record<string, number>;
        probability_best: number;
        current_budget: number;
        proposed_budget: number;
        impressions: number;
        spend: number;
      },
    ) =>
      attempted(() =>
        callService<{ decision_id: string; decision: 'approve' | 'clip' | 'hold'; reason: string; budget: number }>(
          deps,
          'ml-service',
          ml,
          'POST',
          '/decision-gate',
          input,
        ),
      ),

    safe_executor_queue: (
      meta: CallContext,
      input: { ad_account_id: string; ad_set_id: string; payload: Record<string, unknown> },
    ) => attempted(() => queueChange(deps, meta, { ...input, change_type: 'budget_update' })),

    /** One look at a queued change; the workflow waits between looks with durable timers. */
    change_status: (meta: CallContext, changeId: string) =>
      attempted(() =>
        callService<{ status: string; last_error: string | null; executed_at: string | null }>(
          deps,
          'meta-publisher',
          meta,
          'GET',
          `/safe-executor/changes/${changeId}`,
        ),
      ),
  };
}

import { marketHour } from '../market/market';
import type { CallContext } from '../flows/types';
import { attempted, callService, type HttpDeps } from './http';
import { deliverClosedWon } from './hubspot-delivery';
import { send } from './requests';
import { queueChangeRequest } from './shared-requests';
import { adSetInsightsPath, ingestInsights } from './meta-insights';

export interface AdSetRound {
  seed: number;
  ad_set_id: string;
  round: number;
}

/** The sampler's allocation for an ad set, which the decision gate then judges. */
interface Allocation {
  split: Record<string, number>;
  probability_best: number;
  current_budget: number;
  proposed_budget: number;
  impressions: number;
  spend: number;
}

/** The budget optimization flow's calls, one activity per step. */
export function createBudgetActivities(deps: HttpDeps) {
  return {
    /** Meta's insights for the ad set's platform hour, parsed from Graph strings and handed to the ML Service. */
    meta_insights_ingestion: (meta: CallContext, ml: CallContext, input: AdSetRound) =>
      attempted(async () => {
        const { rows } = await ingestInsights(deps, meta, ml, adSetInsightsPath(input));
        return { rows, impressions: rows.reduce((s, r) => s + r.impressions, 0) };
      }),

    /**
     * HubSpot's side: the hour's closed-won deals from those clicks, delivered as a signed webhook (v3). A 5xx
     * makes Temporal retry the delivery, as HubSpot retries; the attempt number goes into the events.
     */
    hubspot_webhook: (ml: CallContext, input: AdSetRound & { clicks: Record<string, number> }) =>
      attempted(() =>
        // Each ad's deals closed a minute apart within the hour.
        deliverClosedWon(deps, ml, '/webhooks/hubspot', input, (deal) => ({
          deal_id: deal.deal_id,
          occurred_at: marketHour(input.round).start + 60_000 * (deal.index + 1),
        })),
      ),

    sampler_calculation: (ml: CallContext, input: AdSetRound) =>
      attempted(() => callService<Allocation>(deps, 'ml-service', ml, 'POST', '/sampler/allocate', input)),

    decision_gate: (ml: CallContext, input: Allocation & { ad_set_id: string }) =>
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
    ) => attempted(() => send(deps, meta, queueChangeRequest({ ...input, change_type: 'budget_update' }))),

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

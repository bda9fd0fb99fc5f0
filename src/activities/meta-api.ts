import { subContext } from '../flows/call-context';
import type { CallContext } from '../flows/types';
import type { ActivityDeps } from './deps';
import { attempted, callService } from './http';
import { send } from './requests';
import { queueChangeRequest } from './shared-requests';

/** What the SafeExecutor did with one change and how its rules look around it (the audit endpoint's answer). */
export interface ChangeAudit {
  id: string;
  status: string;
  change_type: string;
  ad_account_id: string;
  ad_set_id: string;
  attempts: number;
  last_error: string | null;
  /** Platform seconds. */
  jitter_seconds: number | null;
  waited_seconds: number | null;
  rules: {
    requested?: number;
    current?: number;
    velocity_low?: number;
    velocity_high?: number;
    target?: number;
    applied?: number;
    clipped?: boolean;
    account_changes_in_hour?: number;
  } | null;
  new_value: Record<string, unknown> | null;
  history_rows: number;
  account_max_changes_per_hour: number;
  velocity_spread: number | null;
}

/** The meta-api flow's calls: Graph API creation, the SafeExecutor queue for ads, and the executor's audit. */
export function createMetaApiActivities(deps: ActivityDeps) {
  return {
    /** A paused campaign with one ad set under the account; each Graph call is idempotent by its own key. */
    campaign_creation: (meta: CallContext, input: { ad_account_id: string; name: string; daily_budget: number }) =>
      attempted(async () => {
        const campaign = await callService<{ id: string }>(
          deps,
          'meta-publisher',
          meta,
          'POST',
          `/v19.0/${input.ad_account_id}/campaigns`,
          { name: input.name, objective: 'OUTCOME_SALES', status: 'PAUSED', special_ad_categories: [] },
        );
        const adSet = await callService<{ id: string }>(
          deps,
          'meta-publisher',
          subContext(meta, 'adset'),
          'POST',
          `/v19.0/${input.ad_account_id}/adsets`,
          { name: `${input.name} ad set`, campaign_id: campaign.id, daily_budget: input.daily_budget },
        );
        return { campaign_id: campaign.id, ad_set_id: adSet.id };
      }),

    /** Queues the ad's creation for the SafeExecutor (it calls Meta's /ads when the rules allow). */
    ad_creation: (
      meta: CallContext,
      input: { ad_account_id: string; ad_set_id: string; name: string; creative: Record<string, unknown> },
    ) =>
      attempted(() =>
        send(
          deps,
          meta,
          queueChangeRequest({
            ad_account_id: input.ad_account_id,
            ad_set_id: input.ad_set_id,
            change_type: 'create_ad',
            payload: { name: input.name, creative: input.creative },
          }),
        ),
      ),

    /** The executor's record of a change, with the rule figures a flow checks. */
    meta_change_audit: (meta: CallContext, changeId: string) =>
      attempted(() =>
        callService<ChangeAudit>(deps, 'meta-publisher', meta, 'GET', `/safe-executor/changes/${changeId}/audit`),
      ),
  };
}

import type { ChangeAudit as AuditAnswer } from '../contracts/meta-publisher';
import { subContext } from '../flows/call-context';
import type { CallContext } from '../flows/types';
import type { ActivityDeps } from './deps';
import { attempted, callService } from './http';
import { send } from './requests';
import { queueChangeRequest } from './shared-requests';

/** The audit's fields the meta-api flow reads (the contract's answer has these and more). */
export type ChangeAudit = Omit<AuditAnswer, 'planned_delay_seconds' | 'old_value'>;

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

import { z } from 'zod';

/**
 * Canonical forms of the ids a queued change names. One object has one spelling: no leading zeros, no case or
 * whitespace variants, so an alias cannot slip past the per-account and per-ad-set rules keyed by these strings.
 */
const NUMBER = '[1-9]\\d{0,17}';
const INDEX = `(?:0|${NUMBER})`;
export const ID_FORMS = {
  account: new RegExp(`^act_${NUMBER}$`),
  adSet: new RegExp(`^act_${NUMBER}_as${INDEX}$`),
  /** A Graph-style numeric id (created through the API) or a market ad (`<ad set>_ad<n>`). */
  ad: new RegExp(`^(?:${NUMBER}\\d{0,2}|act_${NUMBER}_as${INDEX}_ad${INDEX})$`),
  /** The platform's own campaign, a lowercase UUID. */
  campaign: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
};

const accountId = z.string().regex(ID_FORMS.account, 'must be act_<digits> with no leading zero');
const adSetId = z.string().regex(ID_FORMS.adSet, 'must be act_<digits>_as<digits> with no leading zeros');
const adId = z.string().regex(ID_FORMS.ad, 'must be a Graph id or <ad set>_ad<digits> with no leading zeros');
const campaignId = z.string().regex(ID_FORMS.campaign, 'must be a lowercase UUID');
const creative = z.record(z.string(), z.unknown());
const seed = z.number().int().min(0);

const common = { ad_account_id: accountId, ad_set_id: adSetId, campaign_id: campaignId.optional() };

/** A change as the queue accepts it and the executor applies it: its ids canonical, its payload its type's. */
export const changeSchema = z.discriminatedUnion('change_type', [
  z.object({
    ...common,
    change_type: z.literal('budget_update'),
    payload: z
      .object({
        daily_budget: z.number().positive().max(1_000_000),
        seed,
        ad_split: z.record(adId, z.number().min(0).max(1)).optional(),
      })
      .passthrough(),
  }),
  z.object({
    ...common,
    change_type: z.literal('create_ad'),
    // The creative flow queues its own ids (ad_id is its name for the ad, not a Meta id) instead of a creative.
    payload: z
      .object({
        name: z.string().min(1).max(200).optional(),
        ad_id: z.string().min(1).max(200).optional(),
        creative: creative.optional(),
      })
      .passthrough(),
  }),
  z.object({
    ...common,
    change_type: z.literal('status_update'),
    payload: z
      .object({ status: z.enum(['ACTIVE', 'PAUSED']), reason: z.string().max(300).optional(), seed: seed.optional() })
      .passthrough(),
  }),
  z.object({
    ...common,
    change_type: z.literal('creative_swap'),
    payload: z.object({ ad_id: adId, creative }).passthrough(),
  }),
]);
export type QueuedChange = z.infer<typeof changeSchema>;
export const CHANGE_TYPES = changeSchema.options.map((o) => o.shape.change_type.value);

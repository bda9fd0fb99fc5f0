import { z } from 'zod';
import { ID_FORMS } from './meta-publisher-ids';

/** Meta Publisher's SafeExecutor queue: the changes it takes, and what it answers about them. */

const accountId = z.string().regex(ID_FORMS.account, 'must be act_<digits> with no leading zero');
const adSetId = z.string().regex(ID_FORMS.adSet, 'must be act_<digits>_as<digits> with no leading zeros');
const adId = z.string().regex(ID_FORMS.ad, 'must be a Graph id or <ad set>_ad<digits> with no leading zeros');
const campaignId = z.string().regex(ID_FORMS.campaign, 'must be a lowercase UUID');
const creative = z.record(z.string(), z.unknown());
const seed = z.number().int().min(0);

const common = { ad_account_id: accountId, ad_set_id: adSetId, campaign_id: campaignId.optional() };

/** A budget change: the requested daily budget (the executor clips and fuzzes it) and the split over the ads. */
export const budgetUpdateChange = z.object({
  ...common,
  change_type: z.literal('budget_update'),
  payload: z
    .object({
      daily_budget: z.number().positive().max(1_000_000),
      seed,
      ad_split: z.record(adId, z.number().min(0).max(1)).optional(),
    })
    .passthrough(),
});

/** A new ad in the ad set, created paused. */
export const createAdChange = z.object({
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
});

/** Pauses or resumes the ad set. */
export const statusUpdateChange = z.object({
  ...common,
  change_type: z.literal('status_update'),
  payload: z
    .object({ status: z.enum(['ACTIVE', 'PAUSED']), reason: z.string().max(300).optional(), seed: seed.optional() })
    .passthrough(),
});

/** A new creative on one ad of the ad set. */
export const creativeSwapChange = z.object({
  ...common,
  change_type: z.literal('creative_swap'),
  payload: z.object({ ad_id: adId, creative }).passthrough(),
});

/** A change as the queue accepts it and the executor applies it: its ids canonical, its payload its type's. */
export const changeSchema = z
  .discriminatedUnion('change_type', [budgetUpdateChange, createAdChange, statusUpdateChange, creativeSwapChange])
  .meta({ id: 'QueuedChange' });
export type QueuedChange = z.infer<typeof changeSchema>;
export type ChangeType = QueuedChange['change_type'];
export const CHANGE_TYPES = changeSchema.options.map((o) => o.shape.change_type.value);

/** Where a change is in the queue. */
export const changeStatus = z.enum(['pending', 'claimed', 'executed', 'rejected', 'dead_letter']);

/** The queue's answer to a change: its id and status, and whether this call queued it (201) or a retry found it. */
export const queuedAnswer = z.object({ change_id: z.string().uuid(), status: changeStatus, created: z.boolean() });
export type QueuedAnswer = z.infer<typeof queuedAnswer>;

const json = z.record(z.string(), z.unknown());
const timestamp = z.string().meta({ description: 'ISO 8601 timestamp' });

/** The queue's row of one change, as stored. */
export const changeRow = z
  .object({
    id: z.string().uuid(),
    idempotency_key: z.string(),
    ad_account_id: z.string(),
    campaign_id: z.string().uuid().nullable(),
    ad_set_id: z.string(),
    change_type: z.enum(CHANGE_TYPES),
    payload: json,
    status: changeStatus,
    attempts: z.number().int(),
    last_error: z.string().nullable(),
    claimed_by: z.string().nullable(),
    lease_expires_at: timestamp.nullable(),
    earliest_execute_at: timestamp,
    created_at: timestamp,
    updated_at: timestamp,
    executed_at: timestamp.nullable(),
    time_scale: z.number().positive(),
    faults: json.nullable(),
    /** Platform seconds the change waited on purpose before it was due. */
    jitter_seconds: z.number().nullable(),
    planned_rules: json.nullable(),
  })
  .meta({ id: 'ChangeRow' });
export type ChangeRow = z.infer<typeof changeRow>;

/** What the executor's rules did with a budget (and the account's count, with every change). */
export const executorRules = z
  .object({
    requested: z.number(),
    current: z.number(),
    velocity_low: z.number(),
    velocity_high: z.number(),
    target: z.number(),
    applied: z.number(),
    clipped: z.boolean(),
    account_changes_in_hour: z.number().int(),
    /** Set when the change was recorded from Meta's own record of the write (its answer had been lost). */
    recorded_from: z.literal('meta_lookup'),
  })
  .partial()
  .passthrough();

/** What the SafeExecutor did with one change and how its rules look around it. */
export const changeAudit = z
  .object({
    id: z.string().uuid(),
    status: changeStatus,
    change_type: z.string(),
    ad_account_id: z.string(),
    ad_set_id: z.string(),
    attempts: z.number().int(),
    last_error: z.string().nullable(),
    /** Platform seconds. */
    jitter_seconds: z.number().nullable(),
    planned_delay_seconds: z.number().nullable(),
    waited_seconds: z.number().nullable(),
    rules: executorRules.nullable(),
    new_value: json.nullable(),
    old_value: json.nullable(),
    history_rows: z.number().int(),
    account_max_changes_per_hour: z.number().int(),
    velocity_spread: z.number().nullable(),
  })
  .meta({ id: 'ChangeAudit' });
export type ChangeAudit = z.infer<typeof changeAudit>;

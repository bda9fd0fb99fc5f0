import { z } from 'zod';

/** The simulated Meta Marketing API's wire shapes: Graph-style paths, bodies, answers, errors and usage headers. */

const status = z.enum(['ACTIVE', 'PAUSED']);

/** An ad account in a path: `act_<digits>`. */
export const accountParams = z.object({ adSetId: z.string().regex(/^act_\d+$/) });
/** An ad set in a path: `act_<digits>_as<digits>`. */
export const adSetParams = z.object({ adSetId: z.string().regex(/^act_\d+_as\d+$/, 'unknown ad set id format') });
/** The insights path names an ad set, or (with a cycle) an ad account. */
export const insightsParams = z.object({
  adSetId: z
    .string()
    .regex(/^act_\d+(?:_as\d+)?$/)
    .meta({ description: 'an ad set (act_<n>_as<n>), or with `cycle` an ad account (act_<n>)' }),
});
/** The object an update names: an ad set or an ad. */
export const objectParams = z.object({ objectId: z.string().min(1).max(100) });

/** Which market hour to report: `round` for an ad set, `cycle` for an account's learning-cycle creatives. */
export const insightsQuery = z.object({
  seed: z.coerce.number().int().min(0),
  round: z.coerce.number().int().min(0).max(100_000).default(0),
  cycle: z.coerce.number().int().min(0).max(100_000).optional(),
  level: z.literal('ad').default('ad'),
});
export type InsightsQuery = z.infer<typeof insightsQuery>;

const decimalString = z.string().regex(/^\d+(?:\.\d+)?$/);

/** One ad's delivery as Graph reports it: counts as strings, spend with two decimals, CTR in percent. */
export const insightRow = z.object({
  account_id: z.string(),
  adset_id: z.string(),
  ad_id: z.string(),
  impressions: decimalString,
  clicks: decimalString,
  spend: decimalString,
  ctr: decimalString,
  actions: z.array(z.object({ action_type: z.string(), value: decimalString })),
  date_start: z.string(),
  date_stop: z.string(),
});

/** Graph's insights page: one row per ad, and a paging stub. */
export const insightsPage = z
  .object({
    data: z.array(insightRow),
    paging: z.object({ cursors: z.object({ before: z.string(), after: z.string() }) }),
  })
  .meta({ id: 'MetaInsights' });
export type InsightsPage = z.infer<typeof insightsPage>;

/** A campaign under an ad account. */
export const campaignBody = z.object({
  name: z.string().min(1).max(200),
  objective: z.enum(['OUTCOME_SALES', 'OUTCOME_LEADS', 'OUTCOME_TRAFFIC', 'OUTCOME_AWARENESS']),
  status: status.default('PAUSED'),
  special_ad_categories: z.array(z.string()).default([]),
});
/** An ad set in one of the account's campaigns. */
export const adSetBody = z.object({
  name: z.string().min(1).max(200),
  campaign_id: z.string().min(1),
  daily_budget: z.number().positive().max(1_000_000),
  billing_event: z.string().default('IMPRESSIONS'),
  optimization_goal: z.string().default('LINK_CLICKS'),
  status: status.default('PAUSED'),
});
/** An ad in one of the account's ad sets. */
export const adBody = z.object({
  name: z.string().min(1).max(200),
  adset_id: z.string().min(1).max(100),
  creative: z.record(z.string(), z.unknown()).default({}),
  status: status.default('PAUSED'),
});
/** Graph's answer to a creation: the new (or, for a retried key, the earlier) object's id. */
export const createdAnswer = z.object({ id: z.string() });

/** An ad set's new budget (with its split over the ads) or status: one of the two. */
export const adSetUpdateBody = z
  .object({
    seed: z.number().int().min(0).optional(),
    daily_budget: z.number().positive().max(1_000_000).optional(),
    ad_split: z.record(z.string(), z.number().min(0).max(1)).optional(),
    status: status.optional(),
  })
  .refine((b) => (b.daily_budget === undefined) !== (b.status === undefined), {
    message: 'give either daily_budget or status',
  });
/** An ad's new creative or status. */
export const adUpdateBody = z
  .object({ creative: z.record(z.string(), z.unknown()).optional(), status: status.optional() })
  .refine((b) => b.creative !== undefined || b.status !== undefined, { message: 'give creative or status' });
/** What an update may send: an ad set's update or an ad's, by the object id's form. */
export const updateBody = z.union([adSetUpdateBody, adUpdateBody]);
/** Graph's answer to an update (a retried key gets the first answer again). */
export const updateAnswer = z.object({
  success: z.literal(true),
  id: z.string(),
  status: status.optional(),
  daily_budget: z.number().optional(),
});

/** What kind of write the simulated Meta applied. */
export const writeKind = z.enum(['campaign', 'ad_set', 'ad', 'budget_update', 'status_update', 'creative_swap']);
export type WriteKind = z.infer<typeof writeKind>;

/** A write's idempotency key in a path. */
export const writeParams = z.object({ key: z.string().min(1).max(300) });
/** What the simulated Meta holds about one write it applied, found by the caller's idempotency key. */
export const appliedWriteSchema = z
  .object({
    idempotency_key: z.string(),
    kind: writeKind,
    object_id: z.string(),
    ad_account_id: z.string(),
    before: z.record(z.string(), z.unknown()).nullable(),
    response: z.record(z.string(), z.unknown()),
    at: z.string(),
  })
  .meta({ id: 'MetaAppliedWrite' });
export type AppliedWrite = z.infer<typeof appliedWriteSchema>;

/** Meta's error body: over-limit and refused calls answer HTTP 400 with an OAuthException. */
export const metaError = z
  .object({
    error: z.object({
      message: z.string(),
      type: z.literal('OAuthException'),
      code: z.number().int(),
      error_subcode: z.number().int().optional(),
      fbtrace_id: z.string(),
    }),
  })
  .meta({ id: 'MetaError' });
export type MetaError = z.infer<typeof metaError>;

/** The OAuthException codes the simulated Meta answers: its limits, and an expired token. */
export const META_ERRORS = {
  userLimit: { message: 'User request limit reached', code: 17, subcode: 2446079 },
  budgetTooOften: {
    message: 'Calls to this api have exceeded the rate limit: ad set budget changed too often',
    code: 613,
  },
  expiredToken: { message: 'Error validating access token: Session has expired', code: 190, subcode: 463 },
} as const;

/** Meta's error codes for its limits: app (4), user (17), page (32), per-object (613), business use case (8000x). */
export const THROTTLING_CODES: ReadonlySet<number> = new Set([
  4, 17, 32, 613, 80000, 80001, 80002, 80003, 80004, 80005, 80006, 80008, 80014,
]);

/** One entry of X-Business-Use-Case-Usage: the account's share of its calls (percent) and minutes until access. */
export const useCaseUsage = z.object({
  type: z.string(),
  call_count: z.number(),
  total_cputime: z.number(),
  total_time: z.number(),
  estimated_time_to_regain_access: z.number(),
});
/** X-Business-Use-Case-Usage's JSON: entries by account number (the id without `act_`). */
export const businessUseCaseUsage = z.record(z.string(), z.array(useCaseUsage));
export type BusinessUseCaseUsage = z.infer<typeof businessUseCaseUsage>;
/** X-App-Usage's JSON: the app's share of its calls, in percent. */
export const appUsage = z.object({ call_count: z.number(), total_cputime: z.number(), total_time: z.number() });
export type AppUsage = z.infer<typeof appUsage>;

/** The usage headers every counted Graph call answers with (JSON strings). */
export const META_USAGE_HEADERS = {
  businessUseCase: 'x-business-use-case-usage',
  app: 'x-app-usage',
} as const;
export const usageHeaders = z.object({
  [META_USAGE_HEADERS.businessUseCase]: z.string().meta({
    description:
      'JSON: { "<account number>": [{ type, call_count, total_cputime, total_time, estimated_time_to_regain_access }] }',
  }),
  [META_USAGE_HEADERS.app]: z.string().meta({ description: 'JSON: { call_count, total_cputime, total_time }' }),
});

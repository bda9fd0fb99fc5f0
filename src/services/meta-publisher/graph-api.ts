import type { FastifyInstance, FastifyReply } from 'fastify';
import type { PoolClient } from 'pg';
import { z } from 'zod';
import { creativeBatch } from '../../market/creatives';
import { binomial, CPM, hourlyDelivery, marketFor, marketHour } from '../../market/market';
import { hashSeed, seededRng } from '../../stats/random';
import type { ServiceContext } from '../shared/server';
import { inTransaction } from '../../db/helpers';
import { realInterval } from '../shared/platform-time';
import { HttpError, notFound, parseOr400 } from '../shared/validation';
import { ID_FORMS } from './change-schema';
import { adSetAccount } from './change-refs';
import { priorWrite, recordWrite, registerWriteLookup } from './meta-requests';

/** Meta's own limits, in platform time: budget changes per ad set per hour, and calls per account per hour. */
export const META_LIMITS = { budgetChangesPerAdSetHour: 4, callsPerAccountHour: 600 };

const adSetParams = z.object({ adSetId: z.string().regex(/^act_\d+_as\d+$/, 'unknown ad set id format') });
const insightsQuery = z.object({
  seed: z.coerce.number().int().min(0),
  round: z.coerce.number().int().min(0).max(100_000).default(0),
  cycle: z.coerce.number().int().min(0).max(100_000).optional(),
  level: z.literal('ad').default('ad'),
});
const accountParams = z.object({ adSetId: z.string().regex(/^act_\d+$/) });

/** Impressions each launched creative gets in its learning cycle. */
const CREATIVE_IMPRESSIONS = 20_000;
const objectParams = z.object({ objectId: z.string().min(1).max(100) });
const status = z.enum(['ACTIVE', 'PAUSED']);
const adSetUpdateBody = z
  .object({
    seed: z.number().int().min(0).optional(),
    daily_budget: z.number().positive().max(1_000_000).optional(),
    ad_split: z.record(z.string(), z.number().min(0).max(1)).optional(),
    status: status.optional(),
  })
  .refine((b) => (b.daily_budget === undefined) !== (b.status === undefined), {
    message: 'give either daily_budget or status',
  });
const adUpdateBody = z
  .object({ creative: z.record(z.string(), z.unknown()).optional(), status: status.optional() })
  .refine((b) => b.creative !== undefined || b.status !== undefined, { message: 'give creative or status' });

/** Meta answers over-limit calls with HTTP 400 and an OAuthException body. */
function oauthException(reply: FastifyReply, message: string, code: number, subcode?: number) {
  return reply.code(400).send({
    error: { message, type: 'OAuthException', code, ...(subcode ? { error_subcode: subcode } : {}), fbtrace_id: 'sim' },
  });
}

const campaignBody = z.object({
  name: z.string().min(1).max(200),
  objective: z.enum(['OUTCOME_SALES', 'OUTCOME_LEADS', 'OUTCOME_TRAFFIC', 'OUTCOME_AWARENESS']),
  status: z.enum(['ACTIVE', 'PAUSED']).default('PAUSED'),
  special_ad_categories: z.array(z.string()).default([]),
});
const adSetBody = z.object({
  name: z.string().min(1).max(200),
  campaign_id: z.string().min(1),
  daily_budget: z.number().positive().max(1_000_000),
  billing_event: z.string().default('IMPRESSIONS'),
  optimization_goal: z.string().default('LINK_CLICKS'),
  status: z.enum(['ACTIVE', 'PAUSED']).default('PAUSED'),
});
const adBody = z.object({
  name: z.string().min(1).max(200),
  adset_id: z.string().min(1).max(100),
  creative: z.record(z.string(), z.unknown()).default({}),
  status: z.enum(['ACTIVE', 'PAUSED']).default('PAUSED'),
});

const CREATED_KIND = { campaigns: 'campaign', adsets: 'ad_set', ads: 'ad' } as const;

type CountCall = (db: PoolClient, reply: FastifyReply, account: string, timeScale: number) => Promise<boolean>;

/** A Graph-style numeric id that is stable for one idempotency key (a retry gets the same object). */
const graphId = (kind: string, key: string) => `${hashSeed(`${kind}:${key}`)}${hashSeed(`${key}:${kind}`) % 100_000}`;

/**
 * Creation under an ad account: campaigns, ad sets (ids `act_<n>_as<digits>`, so budget updates reach them)
 * and ads. Each is idempotent by the Idempotency-Key header and counts against the account's call limit.
 */
function registerCreation(app: FastifyInstance, ctx: ServiceContext, countCall: CountCall): void {
  const create = <B extends z.ZodType>(
    edge: keyof typeof CREATED_KIND,
    schema: B,
    /** Where an earlier attempt's object is found by its idempotency key. */
    lookup: string,
    insert: (db: PoolClient, account: string, id: string, key: string, body: z.infer<B>) => Promise<void>,
  ) =>
    app.post(`/v19.0/:adSetId/${edge}`, async (request, reply) => {
      const { adSetId: account } = parseOr400(accountParams, request.params, 'path');
      const body = parseOr400(schema, request.body);
      const key = ctx.idempotencyKey(request);
      return inTransaction(ctx.pool, async (db) => {
        // Two attempts in flight with one key (a retry after a timeout) wait for each other here, so the
        // second finds the first's object instead of counting a second call and hitting the unique key.
        await db.query('SELECT pg_advisory_xact_lock(hashtext($1))', [key]);
        const done = await db.query(lookup, [key]);
        if (done.rowCount) return { id: done.rows[0].id as string };
        if (await countCall(db, reply, account, request.sim.timeScale)) {
          return oauthException(reply, 'User request limit reached', 17, 2446079);
        }
        const id = edge === 'adsets' ? `${account}_as${graphId(edge, key)}` : graphId(edge, key);
        await insert(db, account, id, key, body);
        await recordWrite(db, key, CREATED_KIND[edge], id, account, null, { id });
        return { id };
      });
    });

  create(
    'campaigns',
    campaignBody,
    'SELECT id FROM meta_campaigns WHERE idempotency_key = $1',
    async (db, account, id, key, body) => {
      await db.query(
        `INSERT INTO meta_campaigns (id, idempotency_key, ad_account_id, name, objective, status) VALUES ($1, $2, $3, $4, $5, $6)`,
        [id, key, account, body.name, body.objective, body.status],
      );
    },
  );
  create(
    'adsets',
    adSetBody,
    'SELECT ad_set_id AS id FROM meta_ad_sets WHERE idempotency_key = $1',
    async (db, account, id, key, body) => {
      const campaign = await db.query('SELECT ad_account_id FROM meta_campaigns WHERE id = $1', [body.campaign_id]);
      if (campaign.rows[0]?.ad_account_id !== account)
        throw new HttpError(
          400,
          'bad_request',
          `campaign_id: no campaign ${body.campaign_id} in ${account}`,
          'campaign_id',
        );
      await db.query(
        `INSERT INTO meta_ad_sets (ad_set_id, ad_account_id, daily_budget, campaign_id, idempotency_key) VALUES ($1, $2, $3, $4, $5)`,
        [id, account, body.daily_budget, body.campaign_id, key],
      );
    },
  );
  create('ads', adBody, 'SELECT id FROM meta_ads WHERE idempotency_key = $1', async (db, account, id, key, body) => {
    const owner = await adSetAccount(db, body.adset_id);
    if (owner !== account)
      throw new HttpError(400, 'bad_request', `adset_id: no ad set ${body.adset_id} in ${account}`, 'adset_id');
    await db.query(
      `INSERT INTO meta_ads (id, idempotency_key, ad_account_id, ad_set_id, name, creative, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [id, key, account, body.adset_id, body.name, JSON.stringify(body.creative), body.status],
    );
  });
}

/** The simulated Meta Marketing API: Graph-style paths and bodies, insights metrics as strings, Meta's limits. */
export function registerGraphApi(app: FastifyInstance, ctx: ServiceContext): void {
  /**
   * The ad set's row, locked: one Meta created, or one of the market's (its initial budget from the seed's market,
   * written on first sight).
   */
  async function adSetRow(db: PoolClient, seed: number | undefined, adSetId: string) {
    const select = () => db.query('SELECT * FROM meta_ad_sets WHERE ad_set_id = $1 FOR UPDATE', [adSetId]);
    let found = await select();
    const adSet = seed === undefined ? undefined : marketFor(seed).find((s) => s.adSetId === adSetId);
    if (!found.rowCount && adSet) {
      await db.query(
        `INSERT INTO meta_ad_sets (ad_set_id, ad_account_id, daily_budget) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
        [adSetId, adSet.accountId, adSet.initialDailyBudget],
      );
      found = await select();
    }
    if (!found.rowCount) throw notFound(`ad set ${adSetId}`);
    return found.rows[0] as {
      daily_budget: string;
      ad_split: Record<string, number>;
      ad_account_id: string;
      status: string;
    };
  }

  /** The ad's row, locked: one Meta created, or one of the market's (written on first sight). */
  async function adRow(db: PoolClient, adId: string) {
    const select = () => db.query('SELECT * FROM meta_ads WHERE id = $1 FOR UPDATE', [adId]);
    let found = await select();
    const ad = marketFor(0)
      .flatMap((s) => s.ads)
      .find((a) => a.adId === adId);
    if (!found.rowCount && ad) {
      await db.query(
        `INSERT INTO meta_ads (id, idempotency_key, ad_account_id, ad_set_id, name, status)
         VALUES ($1, $2, $3, $4, $1, 'ACTIVE') ON CONFLICT DO NOTHING`,
        [adId, `market:${adId}`, ad.accountId, ad.adSetId],
      );
      found = await select();
    }
    if (!found.rowCount) throw notFound(`ad ${adId}`);
    return found.rows[0] as { ad_account_id: string; creative: unknown; status: string };
  }

  /** Records the call and sets Meta's usage header; true when the account is over its limit. */
  async function countCall(db: PoolClient, reply: FastifyReply, account: string, timeScale: number): Promise<boolean> {
    await db.query('INSERT INTO meta_api_calls (ad_account_id) VALUES ($1)', [account]);
    const hour = realInterval(1, timeScale);
    const calls = Number(
      (
        await db.query(`SELECT count(*) FROM meta_api_calls WHERE ad_account_id = $1 AND at > now() - $2::interval`, [
          account,
          hour,
        ])
      ).rows[0].count,
    );
    const pct = Math.min(100, Math.round((100 * calls) / META_LIMITS.callsPerAccountHour));
    // Over the limit: access comes back when enough of the hour's calls have left it (Meta says so in minutes).
    let regainMinutes = 0;
    if (calls > META_LIMITS.callsPerAccountHour) {
      const leaves = await db.query(
        `SELECT extract(epoch FROM (at + $2::interval - now())) * 1000 AS ms FROM meta_api_calls
         WHERE ad_account_id = $1 AND at > now() - $2::interval ORDER BY at OFFSET $3 LIMIT 1`,
        [account, hour, calls - META_LIMITS.callsPerAccountHour],
      );
      const realWait = Math.max(0, Number(leaves.rows[0]?.ms ?? 0));
      regainMinutes = Math.max(1, Math.ceil(realWait / timeScale / 60_000));
    }
    reply.header(
      'x-business-use-case-usage',
      JSON.stringify({
        [account.replace(/^act_/, '')]: [
          {
            type: 'ads_management',
            call_count: pct,
            total_cputime: pct,
            total_time: pct,
            estimated_time_to_regain_access: regainMinutes,
          },
        ],
      }),
    );
    reply.header('x-app-usage', JSON.stringify({ call_count: pct, total_cputime: pct, total_time: pct }));
    return calls > META_LIMITS.callsPerAccountHour;
  }

  app.get('/v19.0/:adSetId/insights', async (request, reply) => {
    const q = parseOr400(insightsQuery, request.query, 'query');
    // An account id (act_123) with a cycle asks for the creatives the learning cycle launched in that account.
    if (accountParams.safeParse(request.params).success)
      return creativeInsights(request.params as { adSetId: string }, q, reply);
    const { adSetId } = parseOr400(adSetParams, request.params, 'path');
    return inTransaction(ctx.pool, async (db) => {
      const row = await adSetRow(db, q.seed, adSetId);
      const adSet = marketFor(q.seed).find((s) => s.adSetId === adSetId);
      if (!adSet) throw notFound(`ad set ${adSetId} in the market`);
      if (await countCall(db, reply, adSet.accountId, request.sim.timeScale)) {
        return oauthException(reply, 'User request limit reached', 17, 2446079);
      }
      const hour = marketHour(q.round);
      const [start, stop] = [new Date(hour.start).toISOString(), new Date(hour.end).toISOString()];
      const rows = hourlyDelivery(q.seed, adSet, Number(row.daily_budget), row.ad_split, q.round);
      return {
        data: rows.map((r) => ({
          account_id: adSet.accountId.replace(/^act_/, ''),
          adset_id: adSetId,
          ad_id: r.ad.adId,
          impressions: String(r.impressions),
          clicks: String(r.clicks),
          spend: r.spend.toFixed(2),
          ctr: r.impressions ? ((100 * r.clicks) / r.impressions).toFixed(4) : '0',
          actions: [{ action_type: 'link_click', value: String(r.clicks) }],
          date_start: start,
          date_stop: stop,
        })),
        paging: { cursors: { before: 'MAA', after: 'MQ' } },
      };
    });
  });

  async function creativeInsights(params: { adSetId: string }, q: z.infer<typeof insightsQuery>, reply: FastifyReply) {
    const account = params.adSetId;
    if (q.cycle === undefined)
      throw new HttpError(400, 'bad_request', 'query: cycle: required for account-level insights', 'cycle');
    const creatives = creativeBatch(q.seed, q.cycle).filter((c) => c.accountId === account);
    if (!creatives.length) throw notFound(`ad account ${account}`);
    return inTransaction(ctx.pool, async (db) => {
      if (await countCall(db, reply, account, 1))
        return oauthException(reply, 'User request limit reached', 17, 2446079);
      const hour = marketHour(q.cycle!);
      const [start, stop] = [new Date(hour.start).toISOString(), new Date(hour.end).toISOString()];
      return {
        data: creatives.map((c) => {
          const rng = seededRng(hashSeed(`creative-delivery:${q.seed}:${c.adId}`));
          const impressions = Math.round(CREATIVE_IMPRESSIONS * (0.9 + 0.2 * rng()));
          const clicks = binomial(rng, impressions, c.ctr);
          return {
            account_id: account.replace(/^act_/, ''),
            adset_id: c.adSetId,
            ad_id: c.adId,
            impressions: String(impressions),
            clicks: String(clicks),
            spend: ((impressions * CPM) / 1000).toFixed(2),
            ctr: ((100 * clicks) / impressions).toFixed(4),
            actions: [{ action_type: 'link_click', value: String(clicks) }],
            date_start: start,
            date_stop: stop,
          };
        }),
        paging: { cursors: { before: 'MAA', after: 'MQ' } },
      };
    });
  }

  registerCreation(app, ctx, countCall);

  registerWriteLookup(app, ctx);

  // A token that expired (an injected fault) is refused before any work, as Meta refuses it: code 190.
  app.addHook('onRequest', async (request, reply) => {
    const rate = request.sim?.faults.auth_error_rate ?? 0;
    if (!request.url.startsWith('/v19.0/') || rate <= 0 || ctx.rng() >= rate) return;
    return oauthException(reply, 'Error validating access token: Session has expired', 190, 463);
  });

  /**
   * An update of one object, idempotent by the Idempotency-Key header: an ad set's budget (with the split over its
   * ads) or status, or an ad's creative or status. Each counts against the account's calls.
   */
  app.post('/v19.0/:objectId', async (request, reply) => {
    const { objectId } = parseOr400(objectParams, request.params, 'path');
    const isAdSet = ID_FORMS.adSet.test(objectId);
    if (!isAdSet && !ID_FORMS.ad.test(objectId))
      throw new HttpError(400, 'bad_request', `path: objectId: no object id of that format: ${objectId}`, 'objectId');
    const key = ctx.idempotencyKey(request);
    if (!isAdSet) {
      const body = parseOr400(adUpdateBody, request.body);
      return inTransaction(ctx.pool, async (db) => {
        const ad = await adRow(db, objectId);
        const done = await priorWrite(db, key);
        if (done) return done;
        if (await countCall(db, reply, ad.ad_account_id, request.sim.timeScale))
          return oauthException(reply, 'User request limit reached', 17, 2446079);
        await db.query(
          'UPDATE meta_ads SET creative = coalesce($2, creative), status = coalesce($3, status) WHERE id = $1',
          [objectId, body.creative ? JSON.stringify(body.creative) : null, body.status ?? null],
        );
        const answer = { success: true, id: objectId };
        const before = body.creative ? { creative: ad.creative } : { status: ad.status };
        await recordWrite(
          db,
          key,
          body.creative ? 'creative_swap' : 'status_update',
          objectId,
          ad.ad_account_id,
          before,
          answer,
        );
        return answer;
      });
    }
    const body = parseOr400(adSetUpdateBody, request.body);
    return inTransaction(ctx.pool, async (db) => {
      const row = await adSetRow(db, body.seed, objectId);
      const done = await priorWrite(db, key);
      if (done) return done;
      if (await countCall(db, reply, row.ad_account_id, request.sim.timeScale)) {
        return oauthException(reply, 'User request limit reached', 17, 2446079);
      }
      if (body.status) {
        await db.query('UPDATE meta_ad_sets SET status = $2, updated_at = now() WHERE ad_set_id = $1', [
          objectId,
          body.status,
        ]);
        const answer = { success: true, id: objectId, status: body.status };
        await recordWrite(db, key, 'status_update', objectId, row.ad_account_id, { status: row.status }, answer);
        return answer;
      }
      const recent = await db.query(
        `SELECT count(*) FROM meta_budget_updates WHERE ad_set_id = $1 AND at > now() - $2::interval`,
        [objectId, realInterval(1, request.sim.timeScale)],
      );
      if (Number(recent.rows[0].count) >= META_LIMITS.budgetChangesPerAdSetHour) {
        return oauthException(
          reply,
          'Calls to this api have exceeded the rate limit: ad set budget changed too often',
          613,
        );
      }
      await db.query(
        `INSERT INTO meta_budget_updates (idempotency_key, ad_set_id, ad_account_id, old_budget, new_budget)
         VALUES ($1, $2, $3, $4, $5)`,
        [key, objectId, row.ad_account_id, row.daily_budget, body.daily_budget],
      );
      await db.query(
        `UPDATE meta_ad_sets SET daily_budget = $2, ad_split = coalesce($3, ad_split), updated_at = now() WHERE ad_set_id = $1`,
        [objectId, body.daily_budget, body.ad_split ? JSON.stringify(body.ad_split) : null],
      );
      const answer = { success: true, id: objectId, daily_budget: body.daily_budget };
      const before = { daily_budget: Number(row.daily_budget) };
      await recordWrite(db, key, 'budget_update', objectId, row.ad_account_id, before, answer);
      return answer;
    });
  });
}

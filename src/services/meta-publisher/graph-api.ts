import type { FastifyInstance, FastifyReply } from 'fastify';
import type { PoolClient } from 'pg';
import { z } from 'zod';
import { creativeBatch } from '../../market/creatives';
import { binomial, CPM, hourlyDelivery, marketFor, marketHour } from '../../market/market';
import { hashSeed, seededRng } from '../../stats/random';
import type { ServiceContext } from '../shared/server';
import { inTransaction } from '../shared/db-helpers';
import { realInterval } from '../shared/platform-time';
import { HttpError, notFound, parseOr400 } from '../shared/validation';

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
const updateBody = z.object({
  seed: z.number().int().min(0),
  daily_budget: z.number().positive().max(1_000_000),
  ad_split: z.record(z.string(), z.number().min(0).max(1)).optional(),
});

/** Meta answers over-limit calls with HTTP 400 and an OAuthException body. */
function oauthException(reply: FastifyReply, message: string, code: number, subcode?: number) {
  return reply.code(400).send({
    error: { message, type: 'OAuthException', code, ...(subcode ? { error_subcode: subcode } : {}), fbtrace_id: 'sim' },
  });
}

/** The simulated Meta Marketing API: Graph-style paths and bodies, insights metrics as strings, Meta's limits. */
export function registerGraphApi(app: FastifyInstance, ctx: ServiceContext): void {
  /** Ensures Meta knows the ad set (its initial budget comes from the market) and returns its row, locked. */
  async function adSetRow(db: PoolClient, seed: number, adSetId: string) {
    const adSet = marketFor(seed).find((s) => s.adSetId === adSetId);
    if (!adSet) throw notFound(`ad set ${adSetId}`);
    await db.query(
      `INSERT INTO meta_ad_sets (ad_set_id, ad_account_id, daily_budget) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
      [adSetId, adSet.accountId, adSet.initialDailyBudget],
    );
    const row = (await db.query('SELECT * FROM meta_ad_sets WHERE ad_set_id = $1 FOR UPDATE', [adSetId])).rows[0];
    return { adSet, row: row as { daily_budget: string; ad_split: Record<string, number>; ad_account_id: string } };
  }

  /** Records the call and sets Meta's usage header; true when the account is over its limit. */
  async function countCall(db: PoolClient, reply: FastifyReply, account: string, timeScale: number): Promise<boolean> {
    await db.query('INSERT INTO meta_api_calls (ad_account_id) VALUES ($1)', [account]);
    const calls = Number(
      (
        await db.query(`SELECT count(*) FROM meta_api_calls WHERE ad_account_id = $1 AND at > now() - $2::interval`, [
          account,
          realInterval(1, timeScale),
        ])
      ).rows[0].count,
    );
    const pct = Math.min(100, Math.round((100 * calls) / META_LIMITS.callsPerAccountHour));
    reply.header(
      'x-business-use-case-usage',
      JSON.stringify({
        [account.replace(/^act_/, '')]: [
          {
            type: 'ads_management',
            call_count: pct,
            total_cputime: pct,
            total_time: pct,
            estimated_time_to_regain_access: pct >= 100 ? 60 : 0,
          },
        ],
      }),
    );
    return calls > META_LIMITS.callsPerAccountHour;
  }

  app.get('/v19.0/:adSetId/insights', async (request, reply) => {
    const q = parseOr400(insightsQuery, request.query, 'query');
    // An account id (act_123) with a cycle asks for the creatives the learning cycle launched in that account.
    if (accountParams.safeParse(request.params).success)
      return creativeInsights(request.params as { adSetId: string }, q, reply);
    const { adSetId } = parseOr400(adSetParams, request.params, 'path');
    return inTransaction(ctx.pool, async (db) => {
      const { adSet, row } = await adSetRow(db, q.seed, adSetId);
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

  /** A budget update (ad set level, with the split over its ads); idempotent by the Idempotency-Key header. */
  app.post('/v19.0/:adSetId', async (request, reply) => {
    const { adSetId } = parseOr400(adSetParams, request.params, 'path');
    const body = parseOr400(updateBody, request.body);
    const key = ctx.idempotencyKey(request);
    return inTransaction(ctx.pool, async (db) => {
      const { adSet, row } = await adSetRow(db, body.seed, adSetId);
      const done = await db.query('SELECT * FROM meta_budget_updates WHERE idempotency_key = $1', [key]);
      if (done.rowCount) return { success: true, id: adSetId, daily_budget: Number(done.rows[0].new_budget) };
      if (await countCall(db, reply, adSet.accountId, request.sim.timeScale)) {
        return oauthException(reply, 'User request limit reached', 17, 2446079);
      }
      const recent = await db.query(
        `SELECT count(*) FROM meta_budget_updates WHERE ad_set_id = $1 AND at > now() - $2::interval`,
        [adSetId, realInterval(1, request.sim.timeScale)],
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
        [key, adSetId, adSet.accountId, row.daily_budget, body.daily_budget],
      );
      await db.query(
        `UPDATE meta_ad_sets SET daily_budget = $2, ad_split = coalesce($3, ad_split), updated_at = now() WHERE ad_set_id = $1`,
        [adSetId, body.daily_budget, body.ad_split ? JSON.stringify(body.ad_split) : null],
      );
      return { success: true, id: adSetId, daily_budget: body.daily_budget };
    });
  });
}

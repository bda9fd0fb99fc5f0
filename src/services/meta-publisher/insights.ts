import type { FastifyReply, FastifyRequest } from 'fastify';
import { accountParams, adSetParams, insightsQuery, type InsightsQuery } from '../../contracts/meta-publisher';
import { creativeBatch } from '../../market/creatives';
import { binomial, CPM, hourlyDelivery, marketFor, marketHour } from '../../market/market';
import { hashSeed, seededRng } from '../../stats/random';
import { inTransaction } from '../../db/helpers';
import type { ServiceContext } from '../shared/server';
import { HttpError, notFound, parseOr400 } from '../shared/validation';
import { countCall } from './call-limit';
import { adSetRow } from './object-store';
import { userLimitReached } from './oauth-error';

/** Impressions each launched creative gets in its learning cycle. */
const CREATIVE_IMPRESSIONS = 20_000;

/** One ad's delivery as Graph reports it: counts as strings, spend with two decimals, CTR in percent. */
function insightRow(
  account: string,
  adSetId: string,
  adId: string,
  impressions: number,
  clicks: number,
  spend: number,
) {
  return {
    account_id: account.replace(/^act_/, ''),
    adset_id: adSetId,
    ad_id: adId,
    impressions: String(impressions),
    clicks: String(clicks),
    spend: spend.toFixed(2),
    ctr: impressions ? ((100 * clicks) / impressions).toFixed(4) : '0',
    actions: [{ action_type: 'link_click', value: String(clicks) }],
  };
}

/** Graph's insights page: the rows with the market hour's reporting window, and a paging stub. */
function insightsPage<R>(hourIndex: number, rows: R[]) {
  const hour = marketHour(hourIndex);
  const [start, stop] = [new Date(hour.start).toISOString(), new Date(hour.end).toISOString()];
  return {
    data: rows.map((r) => ({ ...r, date_start: start, date_stop: stop })),
    paging: { cursors: { before: 'MAA', after: 'MQ' } },
  };
}

/** An ad set's per-ad delivery in one market hour, under its current budget and split. */
async function adSetInsights(ctx: ServiceContext, request: FastifyRequest, reply: FastifyReply, q: InsightsQuery) {
  const { adSetId } = parseOr400(adSetParams, request.params, 'path');
  return inTransaction(ctx.pool, async (db) => {
    const row = await adSetRow(db, q.seed, adSetId);
    const adSet = marketFor(q.seed).find((s) => s.adSetId === adSetId);
    if (!adSet) throw notFound(`ad set ${adSetId} in the market`);
    if (await countCall(db, reply, adSet.accountId, request.sim.timeScale)) return userLimitReached(reply);
    const rows = hourlyDelivery(q.seed, adSet, Number(row.daily_budget), row.ad_split, q.round);
    return insightsPage(
      q.round,
      rows.map((r) => insightRow(adSet.accountId, adSetId, r.ad.adId, r.impressions, r.clicks, r.spend)),
    );
  });
}

/** The delivery of the creatives a learning cycle launched in one account. */
async function creativeInsights(ctx: ServiceContext, account: string, reply: FastifyReply, q: InsightsQuery) {
  if (q.cycle === undefined)
    throw new HttpError(400, 'bad_request', 'query: cycle: required for account-level insights', 'cycle');
  const cycle = q.cycle;
  const creatives = creativeBatch(q.seed, cycle).filter((c) => c.accountId === account);
  if (!creatives.length) throw notFound(`ad account ${account}`);
  return inTransaction(ctx.pool, async (db) => {
    if (await countCall(db, reply, account, 1)) return userLimitReached(reply);
    const rows = creatives.map((c) => {
      const rng = seededRng(hashSeed(`creative-delivery:${q.seed}:${c.adId}`));
      const impressions = Math.round(CREATIVE_IMPRESSIONS * (0.9 + 0.2 * rng()));
      const clicks = binomial(rng, impressions, c.ctr);
      return insightRow(account, c.adSetId, c.adId, impressions, clicks, (impressions * CPM) / 1000);
    });
    return insightsPage(cycle, rows);
  });
}

/** The insights handler: an ad set's, or with an account id (act_123) and a cycle, the cycle's creatives'. */
export function insightsHandler(ctx: ServiceContext) {
  return async function insights(request: FastifyRequest, reply: FastifyReply) {
    const q = parseOr400(insightsQuery, request.query, 'query');
    const account = accountParams.safeParse(request.params);
    if (account.success) return creativeInsights(ctx, account.data.adSetId, reply, q);
    return adSetInsights(ctx, request, reply, q);
  };
}

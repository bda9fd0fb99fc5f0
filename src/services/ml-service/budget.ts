import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { MARKET_EPOCH_MS, MARKET_HOUR_MS, marketFor, marketHour } from '../../market/market';
import { hashSeed, seededRng } from '../../stats/random';
import type { ServiceContext } from '../shared/server';
import { insertOnce } from '../../db/helpers';
import { budgetsInWindow } from '../shared/budget-history';
import { notFound, parseOr400 } from '../shared/validation';
import { decide } from './decision-gate';
import { MAX_MONEY } from './feedback';
import { thompsonAllocate, type AdEvidence } from './sampler';

const allocateSchema = z.object({
  ad_set_id: z.string().min(1),
  seed: z.number().int().min(0),
  round: z.number().int().min(0),
});
const gateSchema = z.object({
  ad_set_id: z.string().min(1),
  split: z.record(z.string(), z.number().min(0).max(1)),
  probability_best: z.number().min(0).max(1),
  current_budget: z.number().positive().max(MAX_MONEY),
  proposed_budget: z.number().positive().max(MAX_MONEY),
  impressions: z.number().nonnegative(),
  spend: z.number().nonnegative().max(MAX_MONEY),
});

/** The sampler over an ad set's recorded feedback, and the decision gate that records every decision. */
export function registerBudget(app: FastifyInstance, ctx: ServiceContext): void {
  app.post('/sampler/allocate', async (request) => {
    const body = parseOr400(allocateSchema, request.body);
    const adSet = marketFor(body.seed).find((s) => s.adSetId === body.ad_set_id);
    if (!adSet) throw notFound(`ad set ${body.ad_set_id}`);
    const adIds = adSet.ads.map((a) => a.adId);
    // Meta's delivery and HubSpot's revenue, per ad and platform hour, up to this round.
    const rows = await ctx.pool.query(
      `SELECT ad_id, window_start, sum(impressions)::float AS impressions, sum(clicks)::float AS clicks,
              sum(spend)::float AS spend, sum(conversions)::float AS conversions, sum(revenue)::float AS revenue
       FROM performance_metrics WHERE ad_id = ANY($1) AND window_start < to_timestamp($2 / 1000.0)
       GROUP BY ad_id, window_start`,
      [adIds, marketHour(body.round).end],
    );
    const evidence: AdEvidence[] = adIds.map((adId) => ({
      adId,
      observations: rows.rows
        .filter((r) => r.ad_id === adId)
        .map((r) => ({
          ageHours: body.round - (new Date(r.window_start).getTime() - MARKET_EPOCH_MS) / MARKET_HOUR_MS,
          impressions: r.impressions,
          clicks: r.clicks,
          spend: r.spend,
          conversions: r.conversions,
          revenue: r.revenue,
        })),
    }));
    const key = ctx.idempotencyKey(request);
    const { posteriors, split } = thompsonAllocate(evidence, seededRng(hashSeed(key)));
    const leader = posteriors.reduce((a, b) => (b.probabilityBest > a.probabilityBest ? b : a));
    const current = await ctx.pool.query('SELECT daily_budget FROM meta_ad_sets WHERE ad_set_id = $1', [
      body.ad_set_id,
    ]);
    const currentBudget = current.rowCount ? Number(current.rows[0].daily_budget) : adSet.initialDailyBudget;
    const impressions = rows.rows.reduce((s, r) => s + r.impressions, 0);
    const spend = rows.rows.reduce((s, r) => s + r.spend, 0);
    return {
      ad_set_id: body.ad_set_id,
      split,
      leader: leader.adId,
      probability_best: leader.probabilityBest,
      current_budget: currentBudget,
      // A clear leader earns the ad set more budget; an undecided one a little less.
      proposed_budget: Math.round(currentBudget * (0.9 + 0.4 * leader.probabilityBest) * 100) / 100,
      impressions,
      spend: Math.round(spend * 100) / 100,
      posteriors: posteriors.map((p) => ({
        ad_id: p.adId,
        probability_best: p.probabilityBest,
        expected_value: p.expectedValue,
      })),
    };
  });

  app.post('/decision-gate', async (request, reply) => {
    const body = parseOr400(gateSchema, request.body);
    const key = ctx.idempotencyKey(request);
    const d = decide({
      impressions: body.impressions,
      spend: body.spend,
      probabilityBest: body.probability_best,
      currentBudget: body.current_budget,
      proposedBudget: body.proposed_budget,
      budgetsInWindow: await budgetsInWindow(ctx.pool, body.ad_set_id, request.sim.timeScale),
    });
    const { row, created } = await insertOnce<{
      id: string;
      decision: string;
      reason: string;
      approved_budget: string;
    }>(
      ctx.pool,
      'budget_decisions',
      key,
      `INSERT INTO budget_decisions (idempotency_key, ad_set_id, decision, reason, current_budget, proposed_budget,
         approved_budget, probability_best, split)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (idempotency_key) DO NOTHING RETURNING *`,
      [
        key,
        body.ad_set_id,
        d.decision,
        d.reason,
        body.current_budget,
        body.proposed_budget,
        d.budget,
        body.probability_best,
        JSON.stringify(body.split),
      ],
    );
    return reply.code(created ? 201 : 200).send({
      decision_id: String(row.id),
      decision: row.decision,
      reason: row.reason,
      budget: Number(row.approved_budget),
    });
  });
}

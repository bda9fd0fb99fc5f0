import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { hashSeed, seededRng } from '../../stats/random';
import type { ServiceContext } from '../shared/server';
import { inTransaction, insertOnce } from '../../db/helpers';
import { HttpError, parseOr400 } from '../shared/validation';
import { DEFAULT_GATE } from './decision-gate';
import { adOf, hubspotEventKey, insightRowSchema, signedHubspotRoute, type HubspotEvent } from './feedback';
import { probabilityBestByCtr } from './sampler';

const flowKey = z.string().min(1).max(300);
const metaFeedbackSchema = z.object({
  flow_key: flowKey,
  ad_set_id: z.string().min(1).max(100),
  /** When Meta reported the delivery, epoch ms. */
  occurred_at: z.number().int().positive(),
  rows: z.array(insightRowSchema).min(1).max(100),
});
const flowSchema = z.object({ flow_key: flowKey, ad_set_id: z.string().min(1).max(100) });
const promotionSchema = flowSchema.extend({ round: z.number().int().min(0) });
const latencyQuery = z.object({ flow_key: flowKey });

/** A promotion is worth recording when P(best) moved at least this much since the ad set's last decision. */
export const PROMOTION_SHIFT = 0.1;

/** The custom deal property that ties a HubSpot delivery to the feedback batch it belongs to. */
export const FEEDBACK_REF_PROPERTY = 'gv_feedback_ref';

/**
 * Real-time feedback into the model: Meta deliveries and signed HubSpot deals arrive as events, are joined
 * per ad into one signal, applied to each ad's posterior, and may trigger a promotion. Every event records
 * when it reached the model, so event-to-update latency is measured, not estimated.
 */
export function registerRealtimeFeedback(app: FastifyInstance, ctx: ServiceContext): void {
  app.post('/feedback/realtime/meta-insights', async (request) => {
    const body = parseOr400(metaFeedbackSchema, request.body);
    const key = ctx.idempotencyKey(request);
    let stored = 0;
    for (const r of body.rows) {
      const res = await ctx.pool.query(
        `INSERT INTO feedback_events (source, event_key, ad_id, payload, occurred_at, flow_key)
         VALUES ('meta', $1, $2, $3, to_timestamp($4 / 1000.0), $5) ON CONFLICT (source, event_key) DO NOTHING`,
        [
          `${key}:${r.ad_id}`,
          r.ad_id,
          JSON.stringify({ ...r, ad_set_id: body.ad_set_id }),
          body.occurred_at,
          body.flow_key,
        ],
      );
      stored += res.rowCount ?? 0;
    }
    return { received: body.rows.length, stored };
  });

  signedHubspotRoute(app, '/webhooks/hubspot/realtime', (events) => storeEvents(ctx, events));

  /** Joins the flow's Meta delivery with its HubSpot deals, per ad: one signal each, written once. */
  app.post('/feedback/realtime/dual-signal', async (request) => {
    const body = parseOr400(flowSchema, request.body);
    const key = ctx.idempotencyKey(request);
    const joined = await ctx.pool.query(
      `SELECT m.ad_id, (m.payload->>'impressions')::bigint AS impressions, (m.payload->>'clicks')::bigint AS clicks,
              count(h.*) FILTER (WHERE h.payload->>'propertyName' = 'amount')::int AS conversions,
              coalesce(sum((h.payload->>'propertyValue')::numeric) FILTER (WHERE h.payload->>'propertyName' = 'amount'), 0)
                AS revenue
       FROM feedback_events m
       LEFT JOIN feedback_events h ON h.source = 'hubspot' AND h.flow_key = m.flow_key AND h.ad_id = m.ad_id
       WHERE m.source = 'meta' AND m.flow_key = $1 GROUP BY m.ad_id, m.payload ORDER BY m.ad_id`,
      [body.flow_key],
    );
    if (!joined.rowCount)
      throw new HttpError(409, 'conflict', `flow_key: no Meta feedback for ${body.flow_key}`, 'flow_key');
    const signals = [];
    for (const r of joined.rows) {
      const { row } = await insertOnce<Record<string, string>>(
        ctx.pool,
        'feedback_signals',
        `${key}:${r.ad_id}`,
        `INSERT INTO feedback_signals (idempotency_key, flow_key, ad_id, ad_set_id, impressions, clicks, conversions, revenue)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (idempotency_key) DO NOTHING RETURNING *`,
        [
          `${key}:${r.ad_id}`,
          body.flow_key,
          r.ad_id,
          body.ad_set_id,
          r.impressions,
          r.clicks,
          r.conversions,
          r.revenue,
        ],
      );
      signals.push({
        ad_id: row.ad_id,
        impressions: Number(row.impressions),
        clicks: Number(row.clicks),
        conversions: Number(row.conversions),
        revenue: Number(row.revenue),
      });
    }
    return { signals };
  });

  /**
   * Applies the flow's signals to the ads' posteriors as one new model version, and stamps every event of
   * the flow with the moment it reached the model. A repeat finds nothing left to apply and changes nothing.
   */
  app.post('/feedback/realtime/process', async (request) => {
    const body = parseOr400(flowSchema, request.body);
    return inTransaction(ctx.pool, async (db) => {
      const pending = await db.query(
        `SELECT * FROM feedback_signals WHERE flow_key = $1 AND applied_at IS NULL ORDER BY ad_id FOR UPDATE`,
        [body.flow_key],
      );
      if (pending.rowCount) {
        const version = Number((await db.query(`SELECT nextval('feedback_model_version') AS v`)).rows[0].v);
        // Ads in id order, so concurrent flows on one ad set lock its posteriors in the same order.
        for (const s of pending.rows) {
          await db.query(
            `INSERT INTO ad_posteriors (ad_id, ad_set_id, impressions, clicks, conversions, revenue, version, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, clock_timestamp())
             ON CONFLICT (ad_id) DO UPDATE SET impressions = ad_posteriors.impressions + EXCLUDED.impressions,
               clicks = ad_posteriors.clicks + EXCLUDED.clicks, conversions = ad_posteriors.conversions + EXCLUDED.conversions,
               revenue = ad_posteriors.revenue + EXCLUDED.revenue, version = EXCLUDED.version, updated_at = clock_timestamp()`,
            [s.ad_id, s.ad_set_id, s.impressions, s.clicks, s.conversions, s.revenue, version],
          );
        }
        await db.query(
          `UPDATE feedback_signals SET applied_at = clock_timestamp(), model_version = $2 WHERE flow_key = $1 AND applied_at IS NULL`,
          [body.flow_key, version],
        );
        await db.query(
          `UPDATE feedback_events SET processed_at = clock_timestamp(), model_version = $2
           WHERE flow_key = $1 AND processed_at IS NULL`,
          [body.flow_key, version],
        );
      }
      const applied = await db.query(
        `SELECT max(model_version)::bigint AS version, count(*)::int AS signals FROM feedback_signals WHERE flow_key = $1`,
        [body.flow_key],
      );
      const posteriors = await db.query(
        `SELECT ad_id, impressions::float, clicks::float, conversions::int, revenue::float FROM ad_posteriors
         WHERE ad_set_id = $1 ORDER BY ad_id`,
        [body.ad_set_id],
      );
      return {
        model_version: Number(applied.rows[0].version ?? 0),
        signals: applied.rows[0].signals,
        posteriors: posteriors.rows.map((p) => ({ ...p, ctr_mean: (1 + p.clicks) / (2 + p.impressions) })),
      };
    });
  });

  /**
   * Auto-promotion: the ad set's leader by P(best) from the posteriors; promoted when the decision gate's rules
   * hold (enough impressions, confident enough) and the feedback moved it: a new leader, or P(best) shifted by
   * PROMOTION_SHIFT since the ad set's last decision. Recorded once per flow, holds included, with the reason.
   */
  app.post('/feedback/realtime/promotion', async (request, reply) => {
    const body = parseOr400(promotionSchema, request.body);
    const key = ctx.idempotencyKey(request);
    return inTransaction(ctx.pool, async (db) => {
      // One decision at a time per ad set, so "since the last decision" means one thing.
      await db.query('SELECT pg_advisory_xact_lock($1)', [hashSeed(`promotion:${body.ad_set_id}`) | 0]);
      const done = await db.query('SELECT * FROM promotions WHERE idempotency_key = $1', [key]);
      if (done.rowCount) return reply.code(200).send(decisionOf(done.rows[0], null));
      const ads = await db.query(
        `SELECT ad_id AS "adId", impressions::float AS impressions, clicks::float AS clicks FROM ad_posteriors
         WHERE ad_set_id = $1 ORDER BY ad_id`,
        [body.ad_set_id],
      );
      if (!ads.rowCount)
        throw new HttpError(409, 'conflict', `ad_set_id: no posterior for ${body.ad_set_id}`, 'ad_set_id');
      const p = probabilityBestByCtr(ads.rows, seededRng(hashSeed(key)));
      const [leader, pBest] = Object.entries(p).sort((a, b) => b[1] - a[1])[0];
      const impressions = ads.rows.reduce((s, a) => s + a.impressions, 0);
      const last = await db.query(
        `SELECT ad_id, probability_best FROM promotions WHERE ad_set_id = $1 AND idempotency_key LIKE '%:auto_promotion_trigger'
         ORDER BY id DESC LIMIT 1`,
        [body.ad_set_id],
      );
      const previous = last.rows[0] as { ad_id: string; probability_best: number } | undefined;
      const moved =
        !previous || previous.ad_id !== leader || Math.abs(pBest - previous.probability_best) >= PROMOTION_SHIFT;
      let reason: string;
      if (impressions < DEFAULT_GATE.minImpressions) reason = `ignorance zone: ${impressions} impressions`;
      else if (pBest < DEFAULT_GATE.minConfidence) reason = `low confidence: P(best) ${pBest.toFixed(2)}`;
      else if (!moved)
        reason = `P(best) ${pBest.toFixed(2)} moved less than ${PROMOTION_SHIFT} since the last decision`;
      else reason = `P(best) ${pBest.toFixed(2)} ≥ ${DEFAULT_GATE.minConfidence}, moved by the feedback`;
      const promote = reason.includes('moved by the feedback');
      const inserted = await db.query(
        `INSERT INTO promotions (idempotency_key, cycle_number, ad_set_id, ad_id, decision, probability_best, reason)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
        [key, body.round, body.ad_set_id, leader, promote ? 'promote' : 'hold', pBest, reason],
      );
      return reply.code(201).send(decisionOf(inserted.rows[0], previous?.probability_best ?? null));
    });
  });

  /** Each of the flow's events with the time it took to reach the model (ms), and a summary. */
  app.get('/feedback/realtime/latency', async (request) => {
    const q = parseOr400(latencyQuery, request.query, 'query');
    const res = await ctx.pool.query(
      `SELECT source, count(*)::int AS events, count(processed_at)::int AS processed,
              max(extract(epoch FROM (processed_at - occurred_at)) * 1000)::float AS max_ms,
              min(extract(epoch FROM (processed_at - occurred_at)) * 1000)::float AS min_ms,
              avg(extract(epoch FROM (processed_at - occurred_at)) * 1000)::float AS avg_ms
       FROM feedback_events WHERE flow_key = $1 GROUP BY source ORDER BY source`,
      [q.flow_key],
    );
    return { sources: res.rows };
  });
}

function decisionOf(row: Record<string, unknown>, previous: number | null) {
  return {
    promotion_id: String(row.id),
    decision: row.decision as 'promote' | 'hold',
    ad_id: row.ad_id as string,
    probability_best: Number(row.probability_best),
    previous_probability_best: previous,
    reason: row.reason as string,
  };
}

/**
 * Stores each event of a delivery once (a redelivery adds nothing), attributed to its ad and tied to the
 * feedback batch named by the deal's `gv_feedback_ref` property.
 */
async function storeEvents(ctx: ServiceContext, events: HubspotEvent[]) {
  const refOf = (objectId: number) =>
    events.find((x) => x.objectId === objectId && x.propertyName === FEEDBACK_REF_PROPERTY)?.propertyValue ?? null;
  let stored = 0;
  for (const e of events) {
    const res = await ctx.pool.query(
      `INSERT INTO feedback_events (source, event_key, ad_id, payload, occurred_at, flow_key)
       VALUES ('hubspot', $1, $2, $3, to_timestamp($4 / 1000.0), $5) ON CONFLICT (source, event_key) DO NOTHING`,
      [hubspotEventKey(e), adOf(events, e.objectId) ?? null, JSON.stringify(e), e.occurredAt, refOf(e.objectId)],
    );
    stored += res.rowCount ?? 0;
  }
  const deals = events.filter((e) => e.propertyName === 'dealstage' && e.propertyValue === 'closedwon').length;
  return { received: events.length, stored, closed_won: deals };
}

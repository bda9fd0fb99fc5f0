import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Pool } from 'pg';
import { z } from 'zod';
import { creativeBatch } from '../../market/creatives';
import { hashSeed, seededRng } from '../../stats/random';
import type { ServiceContext } from '../shared/server';
import { insertOnce } from '../../db/helpers';
import { parseOr400 } from '../shared/validation';
import { PATTERN_TESTS, patternsOf } from './creative-patterns';
import { predictCtr, type CreativeFeatures, type CtrModel } from './ctr-model';
import { DEFAULT_GATE } from './decision-gate';
import { currentModel } from './model-registry';
import { probabilityBestByCtr } from './sampler';
import { trainCtrModel } from './train';

const cycleSchema = z.object({ seed: z.number().int().min(0), cycle: z.number().int().min(0) });
const scopedSchema = cycleSchema.extend({
  /** The key of the cycle's actuals_fetcher call: its predictions are named after it. */
  predictions_key: z.string().min(1),
});

interface CreativeActual {
  ad_id: string;
  features: CreativeFeatures;
  impressions: number;
  clicks: number;
}

/** Every launched creative (ids `act_…_cr<seed>_c<cycle>_…`) with its features and its Meta actuals, once per ad. */
async function creativeActuals(pool: Pool): Promise<CreativeActual[]> {
  const res = await pool.query(
    `SELECT DISTINCT ON (p.ad_id) p.ad_id, p.features, m.impressions::float AS impressions, m.clicks::float AS clicks
     FROM predictions p JOIN performance_metrics m ON m.ad_id = p.ad_id AND m.source = 'meta'
     WHERE p.ad_id LIKE 'act_%\\_c%' ORDER BY p.ad_id`,
  );
  return res.rows;
}

const short = (text: string) => crypto.createHash('sha256').update(text).digest('hex').slice(0, 8);

/** The seven loops' service side; every write is keyed by the cycle step, so a retry changes nothing. */
export function registerLearning(app: FastifyInstance, ctx: ServiceContext): void {
  /** The cycle's new creatives, predicted by the model in service (each prediction names its version). */
  app.post('/learning/predict-batch', async (request) => {
    const body = parseOr400(cycleSchema, request.body);
    const key = ctx.idempotencyKey(request);
    const model = await currentModel(ctx.pool);
    let version = model.version;
    for (const c of creativeBatch(body.seed, body.cycle)) {
      const { row } = await insertOnce<{ model_version: string }>(
        ctx.pool,
        'predictions',
        `${key}:${c.adId}`,
        `INSERT INTO predictions (idempotency_key, ad_id, model_version, predicted_ctr, features)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (idempotency_key) DO NOTHING RETURNING *`,
        [`${key}:${c.adId}`, c.adId, model.version, predictCtr(model, c.features), JSON.stringify(c.features)],
      );
      version = row.model_version;
    }
    return { model_version: version, creatives: creativeBatch(body.seed, body.cycle).length };
  });

  /** Predictions joined with their actuals: MAE and calibration per model version, into learning_cycles. */
  app.post('/learning/accuracy', async (request, reply) => {
    const body = parseOr400(scopedSchema, request.body);
    const key = ctx.idempotencyKey(request);
    const joined = await ctx.pool.query(
      `SELECT p.model_version, p.predicted_ctr, m.clicks::float / nullif(m.impressions, 0) AS actual
       FROM predictions p JOIN performance_metrics m ON m.ad_id = p.ad_id AND m.source = 'meta'
       WHERE p.idempotency_key LIKE $1`,
      [`${body.predictions_key}:%`],
    );
    const rows = joined.rows.filter((r) => r.actual !== null);
    const mae = rows.reduce((s, r) => s + Math.abs(r.predicted_ctr - r.actual), 0) / Math.max(1, rows.length);
    const meanPredicted = rows.reduce((s, r) => s + r.predicted_ctr, 0) / Math.max(1, rows.length);
    const meanActual = rows.reduce((s, r) => s + r.actual, 0) / Math.max(1, rows.length);
    const metrics = { mae, calibration: meanActual > 0 ? meanPredicted / meanActual : null, samples: rows.length };
    const { row, created } = await insertOnce<{ id: string; model_version: string; metrics: typeof metrics }>(
      ctx.pool,
      'learning_cycles',
      key,
      `INSERT INTO learning_cycles (idempotency_key, cycle_number, model_version, status, metrics, completed_at)
       VALUES ($1, $2, $3, 'completed', $4, now()) ON CONFLICT (idempotency_key) DO NOTHING RETURNING *`,
      [key, body.cycle, rows[0]?.model_version ?? 'none', JSON.stringify(metrics)],
    );
    return reply
      .code(created ? 201 : 200)
      .send({ learning_cycle_id: row.id, model_version: row.model_version, ...row.metrics });
  });

  /** Retrains on every creative's actuals when the error crosses the threshold; the new version goes into service. */
  app.post('/learning/retrain', async (request) => {
    const body = parseOr400(cycleSchema.extend({ mae: z.number().min(0), threshold: z.number().min(0) }), request.body);
    const key = ctx.idempotencyKey(request);
    const done = await ctx.pool.query('SELECT version, trained_rows FROM ml_models WHERE idempotency_key = $1', [key]);
    if (done.rowCount)
      return { retrained: true, model_version: done.rows[0].version, trained_rows: done.rows[0].trained_rows };
    const start = await currentModel(ctx.pool);
    if (body.mae <= body.threshold) return { retrained: false, model_version: start.version, trained_rows: 0 };
    const rows = await creativeActuals(ctx.pool);
    const model: CtrModel = trainCtrModel(start, rows, `ctr-c${body.cycle}-${short(key)}`);
    await ctx.pool.query(
      `INSERT INTO ml_models (version, idempotency_key, parent_version, model, trained_rows)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (idempotency_key) DO NOTHING`,
      [model.version, key, start.version, JSON.stringify(model), rows.length],
    );
    return { retrained: true, model_version: model.version, trained_rows: rows.length };
  });

  /** Compound learning: per account, which creative patterns go with a higher actual CTR. */
  app.post('/learning/patterns', async (request) => {
    const body = parseOr400(cycleSchema.extend({ learning_cycle_id: z.string().min(1) }), request.body);
    const byAccount = new Map<string, CreativeActual[]>();
    for (const r of await creativeActuals(ctx.pool)) {
      const account = r.ad_id.split('_c')[0];
      byAccount.set(account, [...(byAccount.get(account) ?? []), r]);
    }
    let stored = 0;
    for (const [account, rows] of byAccount) {
      const ctr = (rs: typeof rows) =>
        rs.reduce((s, r) => s + r.clicks, 0) /
        Math.max(
          1,
          rs.reduce((s, r) => s + r.impressions, 0),
        );
      const overall = ctr(rows);
      for (const [pattern, test] of Object.entries(PATTERN_TESTS)) {
        const matching = rows.filter((r) => test(r.features));
        if (!matching.length || overall === 0) continue;
        await ctx.pool.query(
          `INSERT INTO winning_patterns (ad_account_id, pattern_key, features, lift, support, learning_cycle_id)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (ad_account_id, pattern_key) DO UPDATE SET features = EXCLUDED.features, lift = EXCLUDED.lift,
             support = EXCLUDED.support, learning_cycle_id = EXCLUDED.learning_cycle_id`,
          [
            account,
            pattern,
            JSON.stringify({ pattern, ctr: ctr(matching), baseline: overall }),
            ctr(matching) / overall,
            matching.length,
            body.learning_cycle_id,
          ],
        );
        stored++;
      }
    }
    return { patterns: stored };
  });

  /** Auto-promotion: in each ad set of the cycle, the ad whose posterior says it beats the others, if sure enough. */
  app.post('/learning/promote', async (request) => {
    const body = parseOr400(cycleSchema, request.body);
    const key = ctx.idempotencyKey(request);
    const batch = creativeBatch(body.seed, body.cycle);
    const actuals = await ctx.pool.query(
      `SELECT ad_id, impressions::float AS impressions, clicks::float AS clicks FROM performance_metrics
       WHERE source = 'meta' AND ad_id = ANY($1)`,
      [batch.map((c) => c.adId)],
    );
    const rng = seededRng(hashSeed(key));
    const adSets = [...new Set(batch.map((c) => c.adSetId))];
    const decisions = [];
    for (const adSetId of adSets) {
      const ads = batch
        .filter((c) => c.adSetId === adSetId)
        .map((c) => {
          const a = actuals.rows.find((r) => r.ad_id === c.adId);
          return { adId: c.adId, impressions: a?.impressions ?? 0, clicks: a?.clicks ?? 0 };
        });
      const p = probabilityBestByCtr(ads, rng);
      const [leader, pBest] = Object.entries(p).sort((a, b) => b[1] - a[1])[0];
      const impressions = ads.reduce((s, a) => s + a.impressions, 0);
      // The decision gate's rules: enough data, and confident enough.
      const promote = impressions >= DEFAULT_GATE.minImpressions && pBest >= DEFAULT_GATE.minConfidence;
      const reason = promote
        ? `P(best) ${pBest.toFixed(2)} ≥ ${DEFAULT_GATE.minConfidence} over ${impressions} impressions`
        : impressions < DEFAULT_GATE.minImpressions
          ? `ignorance zone: ${impressions} impressions`
          : `low confidence: P(best) ${pBest.toFixed(2)}`;
      const { row } = await insertOnce<{ ad_id: string; decision: string; probability_best: number }>(
        ctx.pool,
        'promotions',
        `${key}:${adSetId}`,
        `INSERT INTO promotions (idempotency_key, cycle_number, ad_set_id, ad_id, decision, probability_best, reason)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (idempotency_key) DO NOTHING RETURNING *`,
        [`${key}:${adSetId}`, body.cycle, adSetId, leader, promote ? 'promote' : 'hold', pBest, reason],
      );
      decisions.push({
        ad_set_id: adSetId,
        ad_id: row.ad_id,
        decision: row.decision,
        probability_best: row.probability_best,
      });
    }
    return { decisions };
  });

  /** Cross-account learning: only aggregated patterns cross accounts, never an account's own rows. */
  app.post('/learning/cross', async () => {
    const agg = await ctx.pool.query(
      `SELECT pattern_key, count(*)::int AS accounts, avg(lift) AS mean_lift,
              count(*) FILTER (WHERE lift > 1)::float / count(*) AS agreement
       FROM winning_patterns WHERE ad_account_id LIKE 'act_3%' GROUP BY pattern_key HAVING count(*) >= 2`,
    );
    for (const r of agg.rows) {
      await ctx.pool.query(
        `INSERT INTO cross_account_patterns (pattern_key, account_count, pattern, confidence, updated_at)
         VALUES ($1, $2, $3, $4, now())
         ON CONFLICT (pattern_key) DO UPDATE SET account_count = EXCLUDED.account_count, pattern = EXCLUDED.pattern,
           confidence = EXCLUDED.confidence, updated_at = now()`,
        [r.pattern_key, r.accounts, JSON.stringify({ mean_lift: Number(r.mean_lift) }), Number(r.agreement)],
      );
    }
    return { patterns: agg.rowCount };
  });

  /** RAG indexing: each promoted winner's creative DNA (features and its embedding) into the index. */
  app.post('/learning/rag-index', async (request) => {
    const body = parseOr400(cycleSchema.extend({ promotions_key: z.string().min(1) }), request.body);
    const key = ctx.idempotencyKey(request);
    const winners = await ctx.pool.query(
      `SELECT ad_id FROM promotions WHERE idempotency_key LIKE $1 AND decision = 'promote'`,
      [`${body.promotions_key}:%`],
    );
    const batch = creativeBatch(body.seed, body.cycle);
    let indexed = 0;
    for (const { ad_id } of winners.rows) {
      const c = batch.find((x) => x.adId === ad_id);
      if (!c) continue;
      const { row: video } = await insertOnce<{ id: string }>(
        ctx.pool,
        'videos',
        `${key}:${ad_id}`,
        `INSERT INTO videos (idempotency_key, source_url, status, duration_seconds, features)
         VALUES ($1, $2, 'analyzed', $3, $4) ON CONFLICT (idempotency_key) DO NOTHING RETURNING *`,
        [`${key}:${ad_id}`, `creative://${ad_id}`, c.features.scene_count * 3, JSON.stringify(c.features)],
      );
      const f = c.features;
      const raw = [f.scene_count / 14, f.has_hook ? 1 : 0, f.avg_motion, f.faces / 6];
      const norm = Math.sqrt(raw.reduce((s, x) => s + x * x, 0)) || 1;
      const dna = { ad_id, features: f, patterns: patternsOf(f) };
      const res = await ctx.pool.query(
        `INSERT INTO creative_dna_extractions (video_id, dna, embedding) VALUES ($1, $2, $3) ON CONFLICT (video_id) DO NOTHING`,
        [video.id, JSON.stringify(dna), raw.map((x) => x / norm)],
      );
      indexed += res.rowCount ?? 0;
    }
    return { winners: winners.rowCount, indexed };
  });
}

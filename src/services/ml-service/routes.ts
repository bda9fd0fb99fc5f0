import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServiceContext } from '../shared/server';
import { insertOnce } from '../../db/helpers';
import { HttpError, notFound, parseOr400 } from '../shared/validation';
import { predictCtr, type CreativeFeatures } from './ctr-model';
import { registerBudget } from './budget';
import { registerFeedback } from './feedback';
import { registerLearning } from './learning';
import { registerRag } from './rag';
import { registerRealtimeFeedback } from './realtime-feedback';
import { registerQueueBridge } from './queue-bridge';
import { registerPatternPredictor } from './pattern-predictor';
import { currentModel } from './model-registry';

const predictSchema = z.object({
  video_id: z.string().uuid(),
  ad_id: z.string().min(1).max(200).optional(),
});

export function registerMlService(app: FastifyInstance, ctx: ServiceContext): void {
  registerFeedback(app, ctx);
  registerBudget(app, ctx);
  registerLearning(app, ctx);
  registerRag(app, ctx);
  registerRealtimeFeedback(app, ctx);
  registerQueueBridge(app, ctx);
  registerPatternPredictor(app, ctx);

  app.post('/predict/ctr', async (request, reply) => {
    const body = parseOr400(predictSchema, request.body);
    const key = ctx.idempotencyKey(request);
    const video = await ctx.pool.query('SELECT status, features FROM videos WHERE id = $1', [body.video_id]);
    if (!video.rowCount) throw notFound(`video ${body.video_id}`);
    if (video.rows[0].status === 'uploaded') {
      throw new HttpError(409, 'not_analyzed', `video ${body.video_id} has no scene analysis yet`, 'video_id');
    }
    const features = video.rows[0].features as CreativeFeatures;
    const model = await currentModel(ctx.pool);
    const ctr = predictCtr(model, features);
    const { row, created } = await insertOnce<{ id: string; predicted_ctr: number; model_version: string }>(
      ctx.pool,
      'predictions',
      key,
      `INSERT INTO predictions (idempotency_key, video_id, ad_id, model_version, predicted_ctr, features)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (idempotency_key) DO NOTHING RETURNING *`,
      [key, body.video_id, body.ad_id ?? null, model.version, ctr, JSON.stringify(features)],
    );
    return reply.code(created ? 201 : 200).send({
      prediction_id: row.id,
      predicted_ctr: row.predicted_ctr,
      model_version: row.model_version,
      created,
    });
  });

  app.get('/models/ctr', async () => currentModel(ctx.pool));
}

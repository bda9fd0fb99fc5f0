import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { hashSeed, pick, seededRng } from '../../stats/random';
import type { ServiceContext } from '../shared/server';
import { insertOnce } from '../shared/db-helpers';
import { notFound, parseOr400 } from '../shared/validation';

const uploadSchema = z.object({
  source_url: z.string().url(),
  duration_seconds: z.number().positive().max(600),
  campaign_id: z.string().uuid().optional(),
});
const idParams = z.object({ id: z.string().uuid() });

const SCENE_KINDS = ['hook', 'product_closeup', 'testimonial', 'lifestyle', 'demo', 'call_to_action'] as const;

/** Scene detection is deterministic per video, so a retried extraction yields the same scenes. */
export function detectScenes(videoId: string, durationSeconds: number) {
  const rng = seededRng(hashSeed(videoId));
  const scenes = [];
  let t = 0;
  while (t < durationSeconds) {
    const length = Math.min(durationSeconds - t, 1.5 + rng() * 4.5);
    scenes.push({
      index: scenes.length,
      start_s: Math.round(t * 100) / 100,
      end_s: Math.round((t + length) * 100) / 100,
      kind: scenes.length === 0 ? 'hook' : pick(rng, SCENE_KINDS),
      motion: Math.round(rng() * 100) / 100,
      brightness: Math.round((0.3 + rng() * 0.6) * 100) / 100,
      faces: Math.floor(rng() * 3),
    });
    t += length;
  }
  return scenes;
}

export function registerDriveIntel(app: FastifyInstance, ctx: ServiceContext): void {
  app.post('/videos', async (request, reply) => {
    const body = parseOr400(uploadSchema, request.body);
    const key = ctx.idempotencyKey(request);
    const { row, created } = await insertOnce<{ id: string; status: string }>(
      ctx.pool,
      'videos',
      key,
      `INSERT INTO videos (idempotency_key, campaign_id, source_url, duration_seconds)
       VALUES ($1, $2, $3, $4) ON CONFLICT (idempotency_key) DO NOTHING RETURNING *`,
      [key, body.campaign_id ?? null, body.source_url, body.duration_seconds],
    );
    return reply.code(created ? 201 : 200).send({ video_id: row.id, status: row.status, created });
  });

  app.post('/videos/:id/scenes', async (request) => {
    const { id } = parseOr400(idParams, request.params, 'path');
    const found = await ctx.pool.query('SELECT duration_seconds FROM videos WHERE id = $1', [id]);
    if (!found.rowCount) throw notFound(`video ${id}`);
    const duration = Number(found.rows[0].duration_seconds);
    // Analysis costs platform time in proportion to the footage.
    await ctx.platformDelay(request, duration * 40);
    const scenes = detectScenes(id, duration);
    const features = {
      scene_count: scenes.length,
      has_hook: scenes[0]?.kind === 'hook',
      avg_motion: scenes.reduce((s, x) => s + x.motion, 0) / scenes.length,
      faces: scenes.reduce((s, x) => s + x.faces, 0),
    };
    await ctx.pool.query(
      `UPDATE videos SET scenes = $2, features = $3, status = 'analyzed', updated_at = now() WHERE id = $1`,
      [id, JSON.stringify(scenes), JSON.stringify(features)],
    );
    return { video_id: id, scenes, features };
  });

  app.get('/videos/:id', async (request) => {
    const { id } = parseOr400(idParams, request.params, 'path');
    const found = await ctx.pool.query('SELECT * FROM videos WHERE id = $1', [id]);
    if (!found.rowCount) throw notFound(`video ${id}`);
    return found.rows[0];
  });
}

import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { hashSeed, pick, seededRng } from '../../stats/random';
import type { ServiceContext } from '../shared/server';
import { insertOnce } from '../../db/helpers';
import { HttpError, notFound, parseOr400 } from '../shared/validation';
import { extractFeatures, probeMedia, type Scene } from './analysers';

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
      // Merged, so what ingestion and feature extraction stored survives a re-detection.
      `UPDATE videos SET scenes = $2, features = features || $3, status = 'analyzed', updated_at = now() WHERE id = $1`,
      [id, JSON.stringify(scenes), JSON.stringify(features)],
    );
    return { video_id: id, scenes, features };
  });

  /** Ingestion: registers the upload and probes its container (codecs, resolution, frame rate). */
  app.post('/ingestions', async (request, reply) => {
    const body = parseOr400(uploadSchema, request.body);
    const key = ctx.idempotencyKey(request);
    const media = probeMedia(key, body.duration_seconds);
    // Probing reads the file's headers and index: a fixed cost plus a little per second of footage.
    await ctx.platformDelay(request, 400 + body.duration_seconds * 10);
    const { row, created } = await insertOnce<{ id: string; status: string }>(
      ctx.pool,
      'videos',
      key,
      `INSERT INTO videos (idempotency_key, campaign_id, source_url, duration_seconds, features)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (idempotency_key) DO NOTHING RETURNING *`,
      [key, body.campaign_id ?? null, body.source_url, body.duration_seconds, JSON.stringify({ media })],
    );
    return reply.code(created ? 201 : 200).send({ video_id: row.id, status: row.status, media, created });
  });

  /** Feature extraction: objects, on-screen text and the speech transcript of an analyzed video. */
  app.post('/videos/:id/features', async (request) => {
    const { id } = parseOr400(idParams, request.params, 'path');
    const found = await ctx.pool.query('SELECT duration_seconds, scenes, status FROM videos WHERE id = $1', [id]);
    if (!found.rowCount) throw notFound(`video ${id}`);
    if (found.rows[0].status === 'uploaded') {
      throw new HttpError(409, 'not_analyzed', `video ${id} has no scenes yet: detect them first`, 'id');
    }
    const duration = Number(found.rows[0].duration_seconds);
    const scenes = found.rows[0].scenes as Scene[];
    // Three models over every frame and the audio track: slower than scene detection.
    await ctx.platformDelay(request, 1500 + duration * 60);
    const analysis = extractFeatures(id, duration, scenes);
    const summary = {
      object_labels: [...new Set(analysis.objects.flatMap((s) => s.detections.map((d) => d.label)))].sort(),
      ocr_texts: analysis.ocr.length,
      transcript_words: analysis.transcript.words.length,
      speech_ratio: analysis.transcript.speech_ratio,
    };
    await ctx.pool.query(`UPDATE videos SET features = features || $2, updated_at = now() WHERE id = $1`, [
      id,
      JSON.stringify({ ...analysis, analysis: summary }),
    ]);
    return { video_id: id, ...summary };
  });

  app.get('/videos/:id', async (request) => {
    const { id } = parseOr400(idParams, request.params, 'path');
    const found = await ctx.pool.query('SELECT * FROM videos WHERE id = $1', [id]);
    if (!found.rowCount) throw notFound(`video ${id}`);
    return found.rows[0];
  });
}

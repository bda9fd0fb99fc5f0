import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DRIVE_INTEL_ROUTES as ROUTES, type Scene } from '../../contracts/drive-intel';
import { hashSeed, pick, seededRng } from '../../stats/random';
import type { ServiceContext } from '../shared/server';
import { bodyOf, paramsOf, serve } from '../shared/serve';
import { HttpError } from '../shared/validation';
import { insertSourceVideo, updateVideoAnalysis, videoColumns } from '../shared/videos-store';
import { extractFeatures, probeMedia } from './analysers';

const SCENE_KINDS = ['hook', 'product_closeup', 'testimonial', 'lifestyle', 'demo', 'call_to_action'] as const;

/** Scene detection is deterministic per video, so a retried extraction yields the same scenes. */
export function detectScenes(videoId: string, durationSeconds: number): Scene[] {
  const rng = seededRng(hashSeed(videoId));
  const scenes: Scene[] = [];
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

/** Registers a video by its source address, once per idempotency key. */
async function upload(ctx: ServiceContext, request: FastifyRequest, reply: FastifyReply) {
  const body = bodyOf(ROUTES.upload, request);
  const key = ctx.idempotencyKey(request);
  const { row, created } = await insertSourceVideo(ctx.pool, { key, ...body });
  return reply.code(created ? 201 : 200).send({ video_id: row.id, status: row.status, created });
}

/** Detects the scenes of an uploaded video and stores them with summary features. */
async function extractScenes(ctx: ServiceContext, request: FastifyRequest) {
  const { id } = paramsOf(ROUTES.scenes, request);
  const video = await videoColumns<{ duration_seconds: string }>(ctx.pool, id, 'duration_seconds');
  const duration = Number(video.duration_seconds);
  // Analysis costs platform time in proportion to the footage.
  await ctx.platformDelay(request, duration * 40);
  const scenes = detectScenes(id, duration);
  const features = {
    scene_count: scenes.length,
    has_hook: scenes[0]?.kind === 'hook',
    avg_motion: scenes.reduce((s, x) => s + x.motion, 0) / scenes.length,
    faces: scenes.reduce((s, x) => s + x.faces, 0),
  };
  // Merged, so what ingestion and feature extraction stored survives a re-detection.
  await updateVideoAnalysis(ctx.pool, id, { scenes, features });
  return { video_id: id, scenes, features };
}

/** Ingestion: registers the upload and probes its container (codecs, resolution, frame rate). */
async function ingest(ctx: ServiceContext, request: FastifyRequest, reply: FastifyReply) {
  const body = bodyOf(ROUTES.ingest, request);
  const key = ctx.idempotencyKey(request);
  const media = probeMedia(key, body.duration_seconds);
  // Probing reads the file's headers and index: a fixed cost plus a little per second of footage.
  await ctx.platformDelay(request, 400 + body.duration_seconds * 10);
  const { row, created } = await insertSourceVideo(ctx.pool, { key, ...body, features: { media } });
  return reply.code(created ? 201 : 200).send({ video_id: row.id, status: row.status, media, created });
}

/** Feature extraction: objects, on-screen text and the speech transcript of an analyzed video. */
async function extractVideoFeatures(ctx: ServiceContext, request: FastifyRequest) {
  const { id } = paramsOf(ROUTES.features, request);
  const video = await videoColumns<{ duration_seconds: string; scenes: Scene[]; status: string }>(
    ctx.pool,
    id,
    'duration_seconds, scenes, status',
  );
  if (video.status === 'uploaded') {
    throw new HttpError(409, 'not_analyzed', `video ${id} has no scenes yet: detect them first`, 'id');
  }
  const duration = Number(video.duration_seconds);
  // Three models over every frame and the audio track: slower than scene detection.
  await ctx.platformDelay(request, 1500 + duration * 60);
  const analysis = extractFeatures(id, duration, video.scenes);
  const summary = {
    object_labels: [...new Set(analysis.objects.flatMap((s) => s.detections.map((d) => d.label)))].sort(),
    ocr_texts: analysis.ocr.length,
    transcript_words: analysis.transcript.words.length,
    speech_ratio: analysis.transcript.speech_ratio,
  };
  await updateVideoAnalysis(ctx.pool, id, { features: { ...analysis, analysis: summary } });
  return { video_id: id, ...summary };
}

/** A video's stored row. */
async function readVideo(ctx: ServiceContext, request: FastifyRequest) {
  const { id } = paramsOf(ROUTES.video, request);
  return videoColumns(ctx.pool, id, '*');
}

/** Drive Intel's routes, as its contract lists them. */
export function registerDriveIntel(app: FastifyInstance, ctx: ServiceContext): void {
  serve(app, ROUTES.upload, (request, reply) => upload(ctx, request, reply));
  serve(app, ROUTES.scenes, (request) => extractScenes(ctx, request));
  serve(app, ROUTES.ingest, (request, reply) => ingest(ctx, request, reply));
  serve(app, ROUTES.features, (request) => extractVideoFeatures(ctx, request));
  serve(app, ROUTES.video, (request) => readVideo(ctx, request));
}

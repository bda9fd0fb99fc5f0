import { z } from 'zod';
import { route } from './route';
import { idempotencyKeySchema, SIM_HEADERS } from './sim-headers';

/** A write's headers: the idempotency key makes a retry answer what the first attempt did. */
const writeHeaders = z.object({ [SIM_HEADERS.idempotencyKey]: idempotencyKeySchema });
const idParams = z.object({ id: z.string().uuid() });

/** A video by its source address: what upload and ingestion take. */
export const uploadSchema = z.object({
  source_url: z.string().url(),
  duration_seconds: z.number().positive().max(600),
  campaign_id: z.string().uuid().optional(),
});

export const sceneSchema = z.object({
  index: z.number().int(),
  start_s: z.number(),
  end_s: z.number(),
  kind: z.string(),
  motion: z.number(),
  brightness: z.number(),
  faces: z.number().int(),
});
export type Scene = z.infer<typeof sceneSchema>;

/** What ffprobe would say about an uploaded file. */
export const mediaSchema = z.object({
  container: z.string(),
  video_codec: z.string(),
  audio_codec: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  fps: z.number(),
  frames: z.number().int(),
  video_bitrate_kbps: z.number(),
  audio_sample_rate: z.number().int(),
  audio_channels: z.number().int(),
  size_bytes: z.number(),
});

const created = z.boolean().meta({ description: 'false when an earlier call with the same key made it' });

/** Drive Intel: uploads, ingestion with a media probe, scene detection and feature extraction. */
export const DRIVE_INTEL_ROUTES = {
  upload: route({
    method: 'POST',
    path: '/videos',
    summary: 'Registers a video by its source address',
    headers: writeHeaders,
    body: uploadSchema,
    response: z.object({ video_id: z.string().uuid(), status: z.string(), created }),
    status: [201, 200],
  }),
  scenes: route({
    method: 'POST',
    path: '/videos/:id/scenes',
    summary: "Detects a video's scenes and stores them with summary features (a minute of platform time)",
    params: idParams,
    body: z.object({}).optional(),
    response: z.object({
      video_id: z.string().uuid(),
      scenes: z.array(sceneSchema),
      features: z.object({
        scene_count: z.number().int(),
        has_hook: z.boolean(),
        avg_motion: z.number(),
        faces: z.number().int(),
      }),
    }),
  }),
  ingest: route({
    method: 'POST',
    path: '/ingestions',
    summary: 'Registers an upload and probes its container (codecs, resolution, frame rate)',
    headers: writeHeaders,
    body: uploadSchema,
    response: z.object({ video_id: z.string().uuid(), status: z.string(), media: mediaSchema, created }),
    status: [201, 200],
  }),
  features: route({
    method: 'POST',
    path: '/videos/:id/features',
    summary: 'Objects, on-screen text and the speech transcript of an analyzed video',
    params: idParams,
    body: z.object({}).optional(),
    response: z.object({
      video_id: z.string().uuid(),
      object_labels: z.array(z.string()),
      ocr_texts: z.number().int(),
      transcript_words: z.number().int(),
      speech_ratio: z.number(),
    }),
  }),
  video: route({
    method: 'GET',
    path: '/videos/:id',
    summary: "A video's stored row: status, scenes and features",
    params: idParams,
    response: z.looseObject({ id: z.string().uuid(), status: z.string(), scenes: z.array(sceneSchema) }),
  }),
};

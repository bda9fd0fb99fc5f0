import { z } from 'zod';
import { route } from './route';
import { idempotencyKeySchema, SIM_HEADERS } from './sim-headers';
import { PRO_MODULES, type ProModule } from './video-agent-modules';

const writeHeaders = z.object({ [SIM_HEADERS.idempotencyKey]: idempotencyKeySchema });
const idParams = z.object({ id: z.string().uuid() });
const moduleParams = idParams.extend({ module: z.enum(PRO_MODULES) });
const created = z.boolean().meta({ description: 'false when an earlier call with the same key made it' });

/** A render's output format. */
export const specSchema = z
  .object({
    aspect_ratio: z.enum(['9:16', '1:1', '16:9']).default('9:16'),
    resolution: z.enum(['720p', '1080p']).default('1080p'),
  })
  .default({ aspect_ratio: '9:16', resolution: '1080p' });

/** Each module's parameters with the defaults an ad editor would start from; unknown keys are refused. */
export const MODULE_PARAMS = {
  jump_cuts: z
    .object({
      min_pause_s: z.number().min(0.1).max(3).default(0.45),
      padding_s: z.number().min(0).max(0.5).default(0.08),
    })
    .strict(),
  stabilization: z.object({ strength: z.number().min(0).max(1).default(0.6) }).strict(),
  smart_crop: z.object({ aspect_ratio: z.enum(['9:16', '1:1', '16:9']).optional() }).strict(),
  color_grading: z.object({ look: z.enum(['neutral', 'warm', 'punchy', 'cinematic']).default('punchy') }).strict(),
  transitions: z.object({ style: z.enum(['cuts', 'dynamic', 'smooth']).default('dynamic') }).strict(),
  b_roll_insertion: z.object({ max_inserts: z.number().int().min(0).max(10).default(3) }).strict(),
  text_overlays: z
    .object({ headline: z.string().min(1).max(60).optional(), font: z.string().min(1).max(40).default('Inter Bold') })
    .strict(),
  captions: z
    .object({
      max_chars: z.number().int().min(12).max(60).default(32),
      style: z.enum(['karaoke', 'block', 'minimal']).default('karaoke'),
    })
    .strict(),
  voiceover: z
    .object({
      voice: z.string().min(1).max(40).default('en-US-warm-female'),
      words_per_minute: z.number().min(100).max(220).default(165),
    })
    .strict(),
  audio_mixing: z
    .object({
      target_lufs: z.number().min(-30).max(-8).default(-14),
      true_peak_dbtp: z.number().min(-6).max(0).default(-1),
    })
    .strict(),
  brand_overlay: z
    .object({
      position: z.enum(['top_left', 'top_right', 'bottom_left', 'bottom_right']).default('top_right'),
      opacity: z.number().min(0.1).max(1).default(0.85),
    })
    .strict(),
  end_card: z
    .object({ cta: z.string().min(1).max(30).default('Shop now'), duration_s: z.number().min(1).max(6).default(2.5) })
    .strict(),
  winning_ad_generation: z.object({ variant: z.string().min(1).max(40).default('A') }).strict(),
} as const satisfies Record<ProModule, z.ZodType>;

/** What applying `module` takes: its own parameters, each defaulted. */
export const moduleBodySchema = (module: ProModule) =>
  z.object({ params: (MODULE_PARAMS[module] as z.ZodType).default({}) });

const transitionSchema = z.looseObject({ status: z.string(), at: z.string().optional() });
const jobStatus = z.enum(['queued', 'rendering', 'completed', 'failed']);

/** The Video Agent: blueprint renders, edit jobs with the Pro modules, and segmented renders. */
export const VIDEO_AGENT_ROUTES = {
  render: route({
    method: 'POST',
    path: '/render-jobs',
    summary: 'Renders an approved blueprint: the job moves queued, rendering, completed with an output video',
    headers: writeHeaders,
    body: z.object({ blueprint_id: z.string().uuid(), source_video_id: z.string().uuid(), spec: specSchema }),
    response: z.object({
      render_job_id: z.string().uuid(),
      status: jobStatus,
      output_video_id: z.string().uuid().nullable(),
      transitions: z.array(transitionSchema),
      created,
    }),
    status: [201, 200],
  }),
  openEdit: route({
    method: 'POST',
    path: '/render-jobs/edits',
    summary: 'Opens an edit job on an analyzed video, to apply Pro modules to',
    headers: writeHeaders,
    body: z.object({
      source_video_id: z.string().uuid(),
      blueprint_id: z.string().uuid().optional(),
      spec: specSchema,
    }),
    response: z.object({ render_job_id: z.string().uuid(), status: jobStatus, created }),
    status: [201, 200],
  }),
  applyModule: route({
    method: 'POST',
    path: '/render-jobs/:id/modules/:module',
    summary: 'Applies one Pro module to an open edit job, once (a repeat answers what the first wrote)',
    params: moduleParams,
    body: z
      .object({
        params: z
          .union(PRO_MODULES.map((m) => MODULE_PARAMS[m]))
          .optional()
          .meta({ description: "the module's own parameters (see each module's schema); defaults when absent" }),
      })
      .optional(),
    response: z.object({
      render_job_id: z.string().uuid(),
      module: z.enum(PRO_MODULES),
      state: z.literal('applied'),
      status: jobStatus,
      output: z.record(z.string(), z.unknown()),
      output_video_id: z.string().uuid().nullable(),
      created,
    }),
    status: [201, 200],
  }),
  renderSegment: route({
    method: 'POST',
    path: '/render-jobs/:id/modules/:module/segments/:segment',
    summary: 'Renders one segment of a segmented module; a segment already rendered is answered from its row',
    params: moduleParams.extend({ segment: z.coerce.number().int().min(0) }),
    body: z.object({ attempt: z.number().int().min(1), resumed_from: z.number().int().min(0) }),
    response: z.object({
      segment: z.number().int(),
      segments_total: z.number().int(),
      processed: z.boolean(),
      output: z.record(z.string(), z.unknown()),
    }),
  }),
  renderJob: route({
    method: 'GET',
    path: '/render-jobs/:id',
    summary: "A render job's stored row: status, progress and transitions",
    params: idParams,
    response: z.looseObject({ id: z.string().uuid(), status: jobStatus }),
  }),
};

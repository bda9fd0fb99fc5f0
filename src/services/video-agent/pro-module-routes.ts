import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Pool } from 'pg';
import { moduleBodySchema, VIDEO_AGENT_ROUTES as ROUTES } from '../../contracts/video-agent';
import { PRO_MODULES, SEGMENT_SECONDS, SEGMENTED_MODULES, type ProModule } from '../../contracts/video-agent-modules';
import { inTransaction } from '../../db/helpers';
import { hashSeed, seededRng } from '../../stats/random';
import type { ServiceContext } from '../shared/server';
import { bodyOf, paramsOf, serve } from '../shared/serve';
import { HttpError, parseOr400 } from '../shared/validation';
import { insertRenderedVideo, videoColumns } from '../shared/videos-store';
import { computeModule, moduleLatencyMs, renderSegment, segmentCount, type SourceVideo } from './modules';
import { appendModule, completeWithModule, insertRenderJob, loadJob, type RenderJob } from './render-jobs-store';
import { insertSegment, renderedSegments, repeatSegment } from './render-segments-store';

/** Rendering one segment costs about 0.8 s of platform time per second of footage. */
const SEGMENT_COST_MS = SEGMENT_SECONDS * 800;

async function loadSource(db: Pool, job: RenderJob): Promise<SourceVideo> {
  const row = await videoColumns<SourceVideo & { duration_seconds: string | number }>(
    db,
    job.source_video_id as string,
    'duration_seconds, scenes, features',
  );
  return { duration_seconds: Number(row.duration_seconds), scenes: row.scenes, features: row.features };
}

const applied = (job: RenderJob, module: string) => job.transitions.find((t) => t.module === module);

function moduleAnswer(job: RenderJob, module: ProModule, created: boolean) {
  const entry = applied(job, module);
  return {
    render_job_id: job.id,
    module,
    state: 'applied',
    status: job.status,
    output: entry?.output ?? {},
    output_video_id: job.output_video_id,
    created,
  };
}

/** Opens an edit job on an analyzed video, once per idempotency key. */
async function openEdit(ctx: ServiceContext, request: FastifyRequest, reply: FastifyReply) {
  const body = bodyOf(ROUTES.openEdit, request);
  const key = ctx.idempotencyKey(request);
  const source = await videoColumns<{ status: string }>(ctx.pool, body.source_video_id, 'status');
  if (source.status === 'uploaded') {
    throw new HttpError(409, 'not_analyzed', `video ${body.source_video_id} has no scenes yet`, 'source_video_id');
  }
  const { row, created } = await insertRenderJob(ctx.pool, { key, ...body });
  return reply.code(created ? 201 : 200).send({ render_job_id: row.id, status: row.status, created });
}

/** A segmented module's rendered segments, all of them, or a 409 saying how many are missing. */
async function allSegments(db: Pool, id: string, module: ProModule, video: SourceVideo) {
  const done = await renderedSegments(db, id, module);
  const total = segmentCount(video.duration_seconds);
  if (done.count < total) {
    throw new HttpError(409, 'segments_missing', `${module}: ${done.count} of ${total} segments rendered`, 'segments');
  }
  return { segments: total, encoded_bytes: done.bytes };
}

/** What applying a module writes: its transition, the module's own output, and the job's progress after it. */
interface ModuleWrite {
  module: ProModule;
  entry: { at: string };
  output: Record<string, unknown>;
  progress: number;
}

/** The job's new transitions for one module, written once: the winning variant also completes the job. */
function writeModule(ctx: ServiceContext, job: RenderJob, { module, entry, output, progress }: ModuleWrite) {
  return inTransaction(ctx.pool, async (db) => {
    if (module !== 'winning_ad_generation') return appendModule(db, job.id, { entries: [entry], module, progress });
    // The winning variant is the rendered ad: its video row and the job's completion land together.
    const { row: video } = await insertRenderedVideo(db, {
      key: `${job.idempotency_key}:output`,
      source_url: `file:///renders/${job.id}.mp4`,
      duration_seconds: Math.max(1, Number(output.duration_s)),
      features: { variant: output },
    });
    const completed = { status: 'completed', output_video_id: video.id, at: entry.at };
    return completeWithModule(db, job.id, { entries: [entry, completed], module, output_video_id: video.id });
  });
}

/** Applies one Pro module to an open edit job, once: a repeat answers what the first application wrote. */
async function applyModule(ctx: ServiceContext, request: FastifyRequest, reply: FastifyReply) {
  const { id, module } = paramsOf(ROUTES.applyModule, request);
  const { params } = parseOr400(moduleBodySchema(module), request.body ?? {});
  const job = await loadJob(ctx.pool, id);
  if (applied(job, module)) return reply.code(200).send(moduleAnswer(job, module, false));
  if (job.status === 'completed' || job.status === 'failed') {
    throw new HttpError(409, 'job_closed', `render job ${id} is ${job.status}`, 'id');
  }
  const video = await loadSource(ctx.pool, job);
  const rendered = SEGMENTED_MODULES.includes(module) ? await allSegments(ctx.pool, id, module, video) : undefined;
  if (!rendered) await ctx.platformDelay(request, moduleLatencyMs(module, video.duration_seconds));

  const outputs = Object.fromEntries(job.transitions.filter((t) => t.module).map((t) => [t.module, t.output ?? {}]));
  const output = computeModule(
    module,
    { video, spec: job.spec, applied: outputs, rng: seededRng(hashSeed(`${id}:${module}`)) },
    params as never,
  );
  const at = new Date().toISOString();
  const entry = { status: 'rendering', module, state: 'applied', params, output: { ...output, ...rendered }, at };
  const progress = Math.min(1, (Object.keys(outputs).length + 1) / PRO_MODULES.length);
  const updated = await writeModule(ctx, job, { module, entry, output, progress });
  if (updated) return reply.code(201).send(moduleAnswer(updated, module, true));
  // A concurrent call applied it first (or closed the job): answer from the row.
  const again = await loadJob(ctx.pool, id);
  if (applied(again, module)) return reply.code(200).send(moduleAnswer(again, module, false));
  throw new HttpError(409, 'job_closed', `render job ${id} is ${again.status}`, 'id');
}

/** One segment of a segmented module; a segment already rendered is answered from its row, not redone. */
async function renderOneSegment(ctx: ServiceContext, request: FastifyRequest) {
  const { id, module, segment } = paramsOf(ROUTES.renderSegment, request);
  const body = bodyOf(ROUTES.renderSegment, request);
  if (!SEGMENTED_MODULES.includes(module)) {
    throw new HttpError(400, 'bad_request', `path: module: ${module} does not render in segments`, 'module');
  }
  const job = await loadJob(ctx.pool, id);
  const video = await loadSource(ctx.pool, job);
  const total = segmentCount(video.duration_seconds);
  if (segment >= total) {
    throw new HttpError(
      400,
      'bad_request',
      `path: segment: ${segment} is past the last segment ${total - 1}`,
      'segment',
    );
  }
  const stored = await repeatSegment(ctx.pool, id, module, segment);
  if (stored) return { segment, segments_total: total, processed: false, output: stored };

  await ctx.platformDelay(request, SEGMENT_COST_MS);
  const output = renderSegment(id, segment, video, job.spec);
  await insertSegment(ctx.pool, { jobId: id, module, segment, ...body, output });
  return { segment, segments_total: total, processed: true, output };
}

/**
 * The Pro modules as one endpoint shape: open an edit job on an analyzed video, then apply modules to it,
 * each once (a repeat answers what the first application wrote). Each module is a render_jobs transition;
 * winning_ad_generation renders its segments first and then completes the job with a rendered video.
 */
export function registerProModules(app: FastifyInstance, ctx: ServiceContext): void {
  serve(app, ROUTES.openEdit, (request, reply) => openEdit(ctx, request, reply));
  serve(app, ROUTES.applyModule, (request, reply) => applyModule(ctx, request, reply));
  serve(app, ROUTES.renderSegment, (request) => renderOneSegment(ctx, request));
}

import type { FastifyInstance } from 'fastify';
import type { Pool, PoolClient } from 'pg';
import { z } from 'zod';
import { hashSeed, seededRng } from '../../stats/random';
import { inTransaction, insertOnce } from '../../db/helpers';
import type { ServiceContext } from '../shared/server';
import { HttpError, notFound, parseOr400 } from '../shared/validation';
import {
  computeModule,
  MODULE_PARAMS,
  moduleLatencyMs,
  renderSegment,
  segmentCount,
  type SourceVideo,
} from './modules';
import { PRO_MODULES, SEGMENT_SECONDS, SEGMENTED_MODULES, type ProModule } from '../../contracts/video-agent-modules';

const specSchema = z
  .object({
    aspect_ratio: z.enum(['9:16', '1:1', '16:9']).default('9:16'),
    resolution: z.enum(['720p', '1080p']).default('1080p'),
  })
  .default({ aspect_ratio: '9:16', resolution: '1080p' });
const openSchema = z.object({
  source_video_id: z.string().uuid(),
  blueprint_id: z.string().uuid().optional(),
  spec: specSchema,
});
const moduleParams = z.object({ id: z.string().uuid(), module: z.enum(PRO_MODULES) });
const segmentParams = moduleParams.extend({ segment: z.coerce.number().int().min(0) });
const segmentBody = z.object({ attempt: z.number().int().min(1), resumed_from: z.number().int().min(0) });

interface Job {
  id: string;
  idempotency_key: string;
  status: 'queued' | 'rendering' | 'completed' | 'failed';
  source_video_id: string | null;
  output_video_id: string | null;
  spec: { aspect_ratio: '9:16' | '1:1' | '16:9'; resolution: '720p' | '1080p' };
  transitions: Array<{ status: string; module?: string; output?: Record<string, unknown>; params?: unknown }>;
}

/** Rendering one segment costs about 0.8 s of platform time per second of footage. */
const SEGMENT_COST_MS = SEGMENT_SECONDS * 800;

async function loadJob(db: Pool | PoolClient, id: string): Promise<Job> {
  const found = await db.query('SELECT * FROM render_jobs WHERE id = $1', [id]);
  if (!found.rowCount) throw notFound(`render job ${id}`);
  return found.rows[0] as Job;
}

async function loadSource(db: Pool, job: Job): Promise<SourceVideo> {
  const found = await db.query('SELECT duration_seconds, scenes, features FROM videos WHERE id = $1', [
    job.source_video_id,
  ]);
  if (!found.rowCount) throw notFound(`video ${job.source_video_id}`);
  const row = found.rows[0];
  return { duration_seconds: Number(row.duration_seconds), scenes: row.scenes, features: row.features };
}

const applied = (job: Job, module: string) => job.transitions.find((t) => t.module === module);

function moduleAnswer(job: Job, module: ProModule, created: boolean) {
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

/**
 * The Pro modules as one endpoint shape: open an edit job on an analyzed video, then apply modules to it,
 * each once (a repeat answers what the first application wrote). Each module is a render_jobs transition;
 * winning_ad_generation renders its segments first and then completes the job with a rendered video.
 */
export function registerProModules(app: FastifyInstance, ctx: ServiceContext): void {
  app.post('/render-jobs/edits', async (request, reply) => {
    const body = parseOr400(openSchema, request.body);
    const key = ctx.idempotencyKey(request);
    const source = await ctx.pool.query('SELECT status FROM videos WHERE id = $1', [body.source_video_id]);
    if (!source.rowCount) throw notFound(`video ${body.source_video_id}`);
    if (source.rows[0].status === 'uploaded') {
      throw new HttpError(409, 'not_analyzed', `video ${body.source_video_id} has no scenes yet`, 'source_video_id');
    }
    const { row, created } = await insertOnce<Job>(
      ctx.pool,
      'render_jobs',
      key,
      `INSERT INTO render_jobs (idempotency_key, blueprint_id, source_video_id, spec, transitions)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (idempotency_key) DO NOTHING RETURNING *`,
      [
        key,
        body.blueprint_id ?? null,
        body.source_video_id,
        JSON.stringify(body.spec),
        JSON.stringify([{ status: 'queued', at: new Date().toISOString() }]),
      ],
    );
    return reply.code(created ? 201 : 200).send({ render_job_id: row.id, status: row.status, created });
  });

  app.post('/render-jobs/:id/modules/:module', async (request, reply) => {
    const { id, module } = parseOr400(moduleParams, request.params, 'path');
    const { params } = parseOr400(
      z.object({ params: (MODULE_PARAMS[module] as z.ZodType).default({}) }),
      request.body ?? {},
    );
    const job = await loadJob(ctx.pool, id);
    if (applied(job, module)) return reply.code(200).send(moduleAnswer(job, module, false));
    if (job.status === 'completed' || job.status === 'failed') {
      throw new HttpError(409, 'job_closed', `render job ${id} is ${job.status}`, 'id');
    }
    const video = await loadSource(ctx.pool, job);
    let rendered: { segments: number; encoded_bytes: number } | undefined;
    if (SEGMENTED_MODULES.includes(module)) {
      const done = await ctx.pool.query(
        `SELECT count(*)::int AS n, coalesce(sum((output->>'encoded_bytes')::bigint), 0)::bigint AS bytes
         FROM render_segments WHERE render_job_id = $1 AND module = $2`,
        [id, module],
      );
      const total = segmentCount(video.duration_seconds);
      if (done.rows[0].n < total) {
        throw new HttpError(
          409,
          'segments_missing',
          `${module}: ${done.rows[0].n} of ${total} segments rendered`,
          'segments',
        );
      }
      rendered = { segments: total, encoded_bytes: Number(done.rows[0].bytes) };
    } else {
      await ctx.platformDelay(request, moduleLatencyMs(module, video.duration_seconds));
    }

    const outputs = Object.fromEntries(job.transitions.filter((t) => t.module).map((t) => [t.module, t.output ?? {}]));
    const output = computeModule(
      module,
      { video, spec: job.spec, applied: outputs, rng: seededRng(hashSeed(`${id}:${module}`)) },
      params as never,
    );
    const at = new Date().toISOString();
    const entry = { status: 'rendering', module, state: 'applied', params, output: { ...output, ...rendered }, at };
    const notYet = JSON.stringify([{ module }]);
    const progress = Math.min(1, (Object.keys(outputs).length + 1) / PRO_MODULES.length);

    const updated = await inTransaction(ctx.pool, async (db) => {
      if (module !== 'winning_ad_generation') {
        const res = await db.query(
          `UPDATE render_jobs SET status = 'rendering', started_at = coalesce(started_at, now()), progress = $3,
             transitions = transitions || $2::jsonb
           WHERE id = $1 AND status IN ('queued', 'rendering') AND NOT transitions @> $4::jsonb RETURNING *`,
          [id, JSON.stringify([entry]), progress, notYet],
        );
        return res.rows[0] as Job | undefined;
      }
      // The winning variant is the rendered ad: its video row and the job's completion land together.
      const outputKey = `${job.idempotency_key}:output`;
      const { row: video_ } = await insertOnce<{ id: string }>(
        db,
        'videos',
        outputKey,
        `INSERT INTO videos (idempotency_key, source_url, kind, status, duration_seconds, features)
         VALUES ($1, $2, 'rendered', 'rendered', $3, $4) ON CONFLICT (idempotency_key) DO NOTHING RETURNING *`,
        [
          outputKey,
          `file:///renders/${id}.mp4`,
          Math.max(1, Number(output.duration_s)),
          JSON.stringify({ variant: output }),
        ],
      );
      const res = await db.query(
        `UPDATE render_jobs SET status = 'completed', progress = 1, output_video_id = $3, completed_at = now(),
           started_at = coalesce(started_at, now()), transitions = transitions || $2::jsonb
         WHERE id = $1 AND status IN ('queued', 'rendering') AND NOT transitions @> $4::jsonb RETURNING *`,
        [id, JSON.stringify([entry, { status: 'completed', output_video_id: video_.id, at }]), video_.id, notYet],
      );
      return res.rows[0] as Job | undefined;
    });
    if (updated) return reply.code(201).send(moduleAnswer(updated, module, true));
    // A concurrent call applied it first (or closed the job): answer from the row.
    const again = await loadJob(ctx.pool, id);
    if (applied(again, module)) return reply.code(200).send(moduleAnswer(again, module, false));
    throw new HttpError(409, 'job_closed', `render job ${id} is ${again.status}`, 'id');
  });

  /** One segment of a segmented module; a segment already rendered is answered from its row, not redone. */
  app.post('/render-jobs/:id/modules/:module/segments/:segment', async (request) => {
    const { id, module, segment } = parseOr400(segmentParams, request.params, 'path');
    const body = parseOr400(segmentBody, request.body);
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
    const repeat = await ctx.pool.query(
      `UPDATE render_segments SET requests = requests + 1
       WHERE render_job_id = $1 AND module = $2 AND segment = $3 RETURNING output`,
      [id, module, segment],
    );
    if (repeat.rowCount) return { segment, segments_total: total, processed: false, output: repeat.rows[0].output };

    await ctx.platformDelay(request, SEGMENT_COST_MS);
    const output = renderSegment(id, segment, video, job.spec);
    await ctx.pool.query(
      `INSERT INTO render_segments (render_job_id, module, segment, attempt, resumed_from, output)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (render_job_id, module, segment)
       DO UPDATE SET requests = render_segments.requests + 1, processings = render_segments.processings + 1`,
      [id, module, segment, body.attempt, body.resumed_from, JSON.stringify(output)],
    );
    return { segment, segments_total: total, processed: true, output };
  });
}

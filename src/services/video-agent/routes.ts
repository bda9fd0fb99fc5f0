import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServiceContext } from '../shared/server';
import { inTransaction, insertOnce } from '../../db/helpers';
import { HttpError, notFound, parseOr400 } from '../shared/validation';
import { registerProModules } from './pro-module-routes';

const renderSchema = z.object({
  blueprint_id: z.string().uuid(),
  source_video_id: z.string().uuid(),
  spec: z
    .object({
      aspect_ratio: z.enum(['9:16', '1:1', '16:9']).default('9:16'),
      resolution: z.enum(['720p', '1080p']).default('1080p'),
    })
    .default({ aspect_ratio: '9:16', resolution: '1080p' }),
});
const idParams = z.object({ id: z.string().uuid() });

interface RenderJob {
  id: string;
  status: 'queued' | 'rendering' | 'completed' | 'failed';
  output_video_id: string | null;
  transitions: unknown[];
}

const transition = (status: string) => JSON.stringify([{ status, at: new Date().toISOString() }]);

export function registerVideoAgent(app: FastifyInstance, ctx: ServiceContext): void {
  /** Renders the approved blueprint: the job row moves queued → rendering → completed with an output video. */
  app.post('/render-jobs', async (request, reply) => {
    const body = parseOr400(renderSchema, request.body);
    const key = ctx.idempotencyKey(request);
    const blueprint = await ctx.pool.query('SELECT verdict FROM blueprints WHERE id = $1', [body.blueprint_id]);
    if (!blueprint.rowCount) throw notFound(`blueprint ${body.blueprint_id}`);
    if (blueprint.rows[0].verdict !== 'approved') {
      throw new HttpError(
        409,
        'not_approved',
        `blueprint ${body.blueprint_id} is ${blueprint.rows[0].verdict}`,
        'blueprint_id',
      );
    }
    const source = await ctx.pool.query('SELECT duration_seconds FROM videos WHERE id = $1', [body.source_video_id]);
    if (!source.rowCount) throw notFound(`video ${body.source_video_id}`);

    const { row: job, created } = await insertOnce<RenderJob>(
      ctx.pool,
      'render_jobs',
      key,
      `INSERT INTO render_jobs (idempotency_key, blueprint_id, source_video_id, spec, transitions)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (idempotency_key) DO NOTHING RETURNING *`,
      [key, body.blueprint_id, body.source_video_id, JSON.stringify(body.spec), transition('queued')],
    );
    if (job.status === 'completed') return reply.code(200).send(summary(job, created));

    await ctx.pool.query(
      `UPDATE render_jobs SET status = 'rendering', started_at = coalesce(started_at, now()),
         transitions = transitions || $2::jsonb WHERE id = $1 AND status IN ('queued', 'rendering')`,
      [job.id, transition('rendering')],
    );
    // Rendering costs platform time in proportion to the footage.
    await ctx.platformDelay(request, 2000 + Number(source.rows[0].duration_seconds) * 100);

    const done = await inTransaction(ctx.pool, async (db) => {
      const { row: output } = await insertOnce<{ id: string }>(
        db,
        'videos',
        `${key}:output`,
        `INSERT INTO videos (idempotency_key, source_url, kind, status, duration_seconds)
         VALUES ($1, $2, 'rendered', 'rendered', $3) ON CONFLICT (idempotency_key) DO NOTHING RETURNING *`,
        [`${key}:output`, `file:///renders/${job.id}.mp4`, source.rows[0].duration_seconds],
      );
      const updated = await db.query(
        `UPDATE render_jobs SET status = 'completed', progress = 1, output_video_id = $2, completed_at = now(),
           transitions = transitions || $3::jsonb WHERE id = $1 AND status <> 'completed' RETURNING *`,
        [job.id, output.id, transition('completed')],
      );
      return (updated.rows[0] ??
        (await db.query('SELECT * FROM render_jobs WHERE id = $1', [job.id])).rows[0]) as RenderJob;
    });
    return reply.code(created ? 201 : 200).send(summary(done, created));
  });

  registerProModules(app, ctx);

  app.get('/render-jobs/:id', async (request) => {
    const { id } = parseOr400(idParams, request.params, 'path');
    const found = await ctx.pool.query('SELECT * FROM render_jobs WHERE id = $1', [id]);
    if (!found.rowCount) throw notFound(`render job ${id}`);
    return found.rows[0];
  });
}

function summary(job: RenderJob, created: boolean) {
  return {
    render_job_id: job.id,
    status: job.status,
    output_video_id: job.output_video_id,
    transitions: job.transitions,
    created,
  };
}

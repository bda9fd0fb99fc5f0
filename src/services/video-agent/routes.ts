import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { VIDEO_AGENT_ROUTES as ROUTES } from '../../contracts/video-agent';
import { inTransaction } from '../../db/helpers';
import type { ServiceContext } from '../shared/server';
import { bodyOf, paramsOf, serve } from '../shared/serve';
import { HttpError, notFound } from '../shared/validation';
import { insertRenderedVideo, videoColumns } from '../shared/videos-store';
import { registerProModules } from './pro-module-routes';
import { completeRender, insertRenderJob, loadJob, markRendering, type RenderJob } from './render-jobs-store';

function summary(job: RenderJob, created: boolean) {
  return {
    render_job_id: job.id,
    status: job.status,
    output_video_id: job.output_video_id,
    transitions: job.transitions,
    created,
  };
}

/** Refuses a blueprint that does not exist or that the council did not approve. */
async function requireApproved(ctx: ServiceContext, blueprintId: string): Promise<void> {
  const blueprint = await ctx.pool.query('SELECT verdict FROM blueprints WHERE id = $1', [blueprintId]);
  if (!blueprint.rowCount) throw notFound(`blueprint ${blueprintId}`);
  const { verdict } = blueprint.rows[0];
  if (verdict !== 'approved') {
    throw new HttpError(409, 'not_approved', `blueprint ${blueprintId} is ${verdict}`, 'blueprint_id');
  }
}

/** Renders the approved blueprint: the job row moves queued → rendering → completed with an output video. */
async function renderBlueprint(ctx: ServiceContext, request: FastifyRequest, reply: FastifyReply) {
  const body = bodyOf(ROUTES.render, request);
  const key = ctx.idempotencyKey(request);
  await requireApproved(ctx, body.blueprint_id);
  const source = await videoColumns<{ duration_seconds: string }>(ctx.pool, body.source_video_id, 'duration_seconds');
  const { row: job, created } = await insertRenderJob(ctx.pool, { key, ...body });
  if (job.status === 'completed') return reply.code(200).send(summary(job, created));

  await markRendering(ctx.pool, job.id);
  // Rendering costs platform time in proportion to the footage.
  await ctx.platformDelay(request, 2000 + Number(source.duration_seconds) * 100);

  const done = await inTransaction(ctx.pool, async (db) => {
    const { row: output } = await insertRenderedVideo(db, {
      key: `${key}:output`,
      source_url: `file:///renders/${job.id}.mp4`,
      duration_seconds: source.duration_seconds,
    });
    return (await completeRender(db, job.id, output.id)) ?? (await loadJob(db, job.id));
  });
  return reply.code(created ? 201 : 200).send(summary(done, created));
}

/** The Video Agent's routes, as its contract lists them. */
export function registerVideoAgent(app: FastifyInstance, ctx: ServiceContext): void {
  serve(app, ROUTES.render, (request, reply) => renderBlueprint(ctx, request, reply));
  registerProModules(app, ctx);
  serve(app, ROUTES.renderJob, (request) => loadJob(ctx.pool, paramsOf(ROUTES.renderJob, request).id));
}

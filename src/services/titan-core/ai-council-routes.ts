import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ServiceContext } from '../shared/server';
import { HttpError, notFound, parseOr400 } from '../shared/validation';
import { blueprintVerdict, recordVerdict, storePlan } from './blueprint-store';
import { councilVote, QUORUM, TITANS } from './council';
import { battlePlan, OBJECTIVES, veoGenerationMs } from './director';
import { checkVeoJob, completeDueVeoJobs, startVeoJob, type VeoJob } from './veo-store';

const briefSchema = z.object({
  campaign_name: z.string().min(1).max(200),
  objective: z.enum(OBJECTIVES),
  audience: z.string().min(1).max(200),
  daily_budget: z.number().positive().max(1_000_000),
  duration_seconds: z.number().min(5).max(120),
});
const voteSchema = z.object({
  blueprint_id: z.string().uuid(),
  predicted_ctr: z.number().min(0).max(1),
  prediction_id: z.string().uuid().optional(),
});
const veoSchema = z.object({
  blueprint_id: z.string().uuid(),
  prompt: z.string().min(1).max(2000),
  duration_seconds: z.number().min(2).max(60),
});
const idParams = z.object({ id: z.string().uuid() });

/** How often the service completes due Veo jobs by itself, whether or not anyone asks. */
const SWEEP_EVERY_MS = 500;

function veoAnswer(job: VeoJob, created?: boolean) {
  return {
    veo_job_id: job.id,
    status: job.status,
    video_id: job.video_id,
    remaining_ms: Math.max(0, new Date(job.completes_at).getTime() - Date.now()),
    ...(created === undefined ? {} : { created }),
  };
}

/** The director: a battle plan for a campaign, stored as a pending blueprint with its storyboard. */
function battlePlanHandler(ctx: ServiceContext) {
  return async function director(request: FastifyRequest, reply: FastifyReply) {
    const brief = parseOr400(briefSchema, request.body);
    const key = ctx.idempotencyKey(request);
    const { plan, scenes, features } = battlePlan(key, brief);
    // Planning is an LLM call: a couple of seconds of platform time.
    await ctx.platformDelay(request, 1500 + scenes.length * 100);
    const result = await storePlan(ctx.pool, { key, brief, plan, scenes, features });
    return reply.code(result.created ? 201 : 200).send({
      blueprint_id: result.row.id,
      storyboard_video_id: result.row.video_id,
      plan,
      created: result.created,
    });
  };
}

/** The council of titans: every titan votes once per plan; approval needs a quorum of approving votes. */
function titanVotesHandler(ctx: ServiceContext) {
  return async function titanVotes(request: FastifyRequest, reply: FastifyReply) {
    const body = parseOr400(voteSchema, request.body);
    const key = ctx.idempotencyKey(request);
    if ((await blueprintVerdict(ctx.pool, body.blueprint_id)) === undefined)
      throw notFound(`blueprint ${body.blueprint_id}`);
    // Each titan deliberates; they do so in parallel, so the slowest sets the pace.
    await ctx.platformDelay(request, 2500);
    const { votes, approved, score } = councilVote(key, body.predicted_ctr);
    const decided = await recordVerdict(ctx.pool, body.blueprint_id, votes, approved, score);
    return reply.code(decided.created ? 201 : 200).send({
      blueprint_id: body.blueprint_id,
      verdict: decided.verdict,
      score: decided.score,
      quorum: QUORUM,
      titans: TITANS.length,
      approvals: decided.votes.filter((v) => v.approve).length,
      votes: decided.votes,
      created: decided.created,
    });
  };
}

/** Starts a Veo generation for an approved plan; it completes on its own after its generation time. */
function startVeoHandler(ctx: ServiceContext) {
  return async function startVeo(request: FastifyRequest, reply: FastifyReply) {
    const body = parseOr400(veoSchema, request.body);
    const key = ctx.idempotencyKey(request);
    const verdict = await blueprintVerdict(ctx.pool, body.blueprint_id);
    if (verdict === undefined) throw notFound(`blueprint ${body.blueprint_id}`);
    if (verdict !== 'approved')
      throw new HttpError(409, 'not_approved', `blueprint ${body.blueprint_id} is ${verdict}`, 'blueprint_id');
    const realMs = veoGenerationMs(key, body.duration_seconds) * request.sim.timeScale;
    const { row, created } = await startVeoJob(ctx.pool, {
      key,
      blueprintId: body.blueprint_id,
      prompt: body.prompt,
      durationSeconds: body.duration_seconds,
      realMs,
    });
    return reply.code(created ? 201 : 200).send(veoAnswer(row, created));
  };
}

/** A cheap status check: completes the job first if its time has come. */
function veoStatusHandler(ctx: ServiceContext) {
  return async function veoStatus(request: FastifyRequest) {
    const { id } = parseOr400(idParams, request.params, 'path');
    await completeDueVeoJobs(ctx.pool, id);
    const job = await checkVeoJob(ctx.pool, id);
    if (!job) throw notFound(`veo job ${id}`);
    return veoAnswer(job);
  };
}

/** Titan-Core's AI Council: the director's battle plans, the titans' recorded votes, and Veo generation jobs. */
export function registerAiCouncil(app: FastifyInstance, ctx: ServiceContext): void {
  const sweeper = setInterval(() => {
    completeDueVeoJobs(ctx.pool).catch((err) => app.log.warn({ err }, 'veo sweep failed'));
  }, SWEEP_EVERY_MS);
  sweeper.unref();
  app.addHook('onClose', async () => clearInterval(sweeper));

  app.post('/director/battle-plans', battlePlanHandler(ctx));
  app.post('/council/titans/votes', titanVotesHandler(ctx));
  app.post('/veo/jobs', startVeoHandler(ctx));
  app.get('/veo/jobs/:id', veoStatusHandler(ctx));
}

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TITAN_CORE_ROUTES as ROUTES, QUORUM, TITANS } from '../../contracts/titan-core';
import type { ServiceContext } from '../shared/server';
import { bodyOf, paramsOf, serve } from '../shared/serve';
import { HttpError, notFound } from '../shared/validation';
import { blueprintVerdict, recordVerdict, storePlan } from './blueprint-store';
import { councilVote } from './council';
import { battlePlan, veoGenerationMs } from './director';
import { checkVeoJob, completeDueVeoJobs, startVeoJob, type VeoJob } from './veo-store';

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
    const brief = bodyOf(ROUTES.battlePlan, request);
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
    const body = bodyOf(ROUTES.titanVotes, request);
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
    const body = bodyOf(ROUTES.startVeo, request);
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
    const { id } = paramsOf(ROUTES.veoStatus, request);
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

  serve(app, ROUTES.battlePlan, battlePlanHandler(ctx));
  serve(app, ROUTES.titanVotes, titanVotesHandler(ctx));
  serve(app, ROUTES.startVeo, startVeoHandler(ctx));
  serve(app, ROUTES.veoStatus, veoStatusHandler(ctx));
}

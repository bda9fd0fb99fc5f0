import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TITAN_CORE_ROUTES as ROUTES } from '../../contracts/titan-core';
import type { ServiceContext } from '../shared/server';
import { bodyOf, serve } from '../shared/serve';
import { registerAiCouncil } from './ai-council-routes';
import { storeEvaluated } from './blueprint-store';
import { councilVote } from './council';

/** The council's one-call evaluation of a video (the creative flow's): votes, verdict and a decided blueprint. */
function evaluateHandler(ctx: ServiceContext) {
  return async function evaluate(request: FastifyRequest, reply: FastifyReply) {
    const body = bodyOf(ROUTES.evaluate, request);
    const key = ctx.idempotencyKey(request);
    const { votes, approved, score } = councilVote(key, body.predicted_ctr);
    const { row, created } = await storeEvaluated(ctx.pool, {
      key,
      campaignId: body.campaign_id,
      videoId: body.video_id,
      brief: body.brief ?? {},
      votes,
      approved,
      score,
    });
    return reply.code(created ? 201 : 200).send({
      blueprint_id: row.id,
      verdict: row.verdict,
      score: row.score,
      votes: row.council_votes,
      created,
    });
  };
}

/** Titan-Core: the AI Council's director, titans and Veo, and the creative flow's one-call evaluation. */
export function registerTitanCore(app: FastifyInstance, ctx: ServiceContext): void {
  registerAiCouncil(app, ctx);
  serve(app, ROUTES.evaluate, evaluateHandler(ctx));
}

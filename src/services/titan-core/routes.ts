import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ServiceContext } from '../shared/server';
import { parseOr400 } from '../shared/validation';
import { registerAiCouncil } from './ai-council-routes';
import { storeEvaluated } from './blueprint-store';
import { councilVote } from './council';

const evaluateSchema = z.object({
  video_id: z.string().uuid(),
  predicted_ctr: z.number().min(0).max(1),
  campaign_id: z.string().uuid().optional(),
  brief: z.record(z.string(), z.unknown()).optional(),
});

/** The council's one-call evaluation of a video (the creative flow's): votes, verdict and a decided blueprint. */
function evaluateHandler(ctx: ServiceContext) {
  return async function evaluate(request: FastifyRequest, reply: FastifyReply) {
    const body = parseOr400(evaluateSchema, request.body);
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
  app.post('/council/evaluate', evaluateHandler(ctx));
}

import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServiceContext } from '../shared/server';
import { insertOnce } from '../../db/helpers';
import { parseOr400 } from '../shared/validation';
import { registerAiCouncil } from './ai-council-routes';
import { councilVote } from './council';

const evaluateSchema = z.object({
  video_id: z.string().uuid(),
  predicted_ctr: z.number().min(0).max(1),
  campaign_id: z.string().uuid().optional(),
  brief: z.record(z.string(), z.unknown()).optional(),
});

export function registerTitanCore(app: FastifyInstance, ctx: ServiceContext): void {
  registerAiCouncil(app, ctx);
  app.post('/council/evaluate', async (request, reply) => {
    const body = parseOr400(evaluateSchema, request.body);
    const key = ctx.idempotencyKey(request);
    const { votes, approved, score } = councilVote(key, body.predicted_ctr);
    const { row, created } = await insertOnce<{ id: string; verdict: string; score: number; council_votes: unknown }>(
      ctx.pool,
      'blueprints',
      key,
      `INSERT INTO blueprints (idempotency_key, campaign_id, video_id, brief, verdict, council_votes, score, decided_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, now()) ON CONFLICT (idempotency_key) DO NOTHING RETURNING *`,
      [
        key,
        body.campaign_id ?? null,
        body.video_id,
        JSON.stringify(body.brief ?? {}),
        approved ? 'approved' : 'rejected',
        JSON.stringify(votes),
        score,
      ],
    );
    return reply.code(created ? 201 : 200).send({
      blueprint_id: row.id,
      verdict: row.verdict,
      score: row.score,
      votes: row.council_votes,
      created,
    });
  });
}

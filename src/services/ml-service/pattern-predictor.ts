import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../shared/server';
import { insertOnce } from '../../db/helpers';
import { parseOr400 } from '../shared/validation';
import { answerPatternQuestion, type PatternAnswer, type PatternEvidence } from './pattern-answer';
import { predictRequestSchema, type PatternQuestion } from './pattern-contract';
import { queryGraph } from './rag/knowledge-graph';

/** Inference takes a little platform time: reading both sources and ranking. */
const PREDICT_LATENCY_MS = 150;

/** Everything the predictor may answer from, for one question. */
async function gatherEvidence(ctx: ServiceContext, q: PatternQuestion): Promise<PatternEvidence> {
  const scope = 'ad_account_id' in q ? q.ad_account_id : undefined;
  const winning = await ctx.pool.query(
    `SELECT ad_account_id, pattern_key, lift, support FROM winning_patterns WHERE $1::text IS NULL OR ad_account_id = $1`,
    [scope ?? null],
  );
  const graph = await queryGraph(ctx.pool, { ad_account_id: scope, limit: 1 });
  const evidence: PatternEvidence = {
    winning: winning.rows.map((r) => ({ ...r, lift: Number(r.lift), support: Number(r.support) })),
    graph: { creatives: graph.creatives, patterns: graph.patterns },
  };
  if (q.kind === 'combination') {
    const both = await queryGraph(ctx.pool, { patterns: [...q.patterns], limit: 100 });
    const creatives = both.top_creatives.length;
    const mean = creatives ? both.top_creatives.reduce((s, c) => s + c.ctr, 0) / creatives : 0;
    evidence.combination = { creatives, lift: creatives && graph.mean_ctr > 0 ? mean / graph.mean_ctr : null };
  }
  return evidence;
}

/**
 * The pattern predictor: answers a question about creative patterns from compound learning's
 * `winning_patterns` and the RAG knowledge graph, with the Video Agent edits the answer suggests. Each
 * answer is stored once under the caller's idempotency key.
 */
export function registerPatternPredictor(app: FastifyInstance, ctx: ServiceContext): void {
  app.post('/patterns/predict', async (request, reply) => {
    const { question } = parseOr400(predictRequestSchema, request.body);
    const key = ctx.idempotencyKey(request);
    const done = await ctx.pool.query('SELECT id, answer FROM pattern_predictions WHERE idempotency_key = $1', [key]);
    if (done.rowCount)
      return reply.code(200).send({ answer_id: done.rows[0].id, ...done.rows[0].answer, created: false });
    await ctx.platformDelay(request, PREDICT_LATENCY_MS);
    const evidence = await gatherEvidence(ctx, question);
    const answer = answerPatternQuestion(question, evidence);
    const { row, created } = await insertOnce<{ id: string; answer: PatternAnswer }>(
      ctx.pool,
      'pattern_predictions',
      key,
      `INSERT INTO pattern_predictions (idempotency_key, question, answer, answerable, evidence_rows)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (idempotency_key) DO NOTHING RETURNING *`,
      [
        key,
        JSON.stringify(question),
        JSON.stringify(answer),
        answer.answerable,
        evidence.winning.length + evidence.graph.creatives,
      ],
    );
    return reply.code(created ? 201 : 200).send({ answer_id: row.id, ...row.answer, created });
  });
}

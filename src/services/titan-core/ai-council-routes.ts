import type { FastifyInstance } from 'fastify';
import type { Pool } from 'pg';
import { z } from 'zod';
import { detectScenes } from '../drive-intel/routes';
import { inTransaction, insertOnce } from '../../db/helpers';
import type { ServiceContext } from '../shared/server';
import { HttpError, notFound, parseOr400 } from '../shared/validation';
import { councilVote, QUORUM, TITANS } from './council';
import { battlePlan, OBJECTIVES, veoGenerationMs } from './director';

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

interface VeoJob {
  id: string;
  idempotency_key: string;
  blueprint_id: string;
  status: 'running' | 'completed' | 'failed';
  duration_seconds: string;
  completes_at: Date;
  video_id: string | null;
}

/** How often the service completes due Veo jobs by itself, whether or not anyone asks. */
const SWEEP_EVERY_MS = 500;

/**
 * Completes Veo jobs whose generation time has passed: the generated clip becomes a source video row.
 * Each job is claimed under a row lock, so the sweeper and a status check never complete one twice.
 */
async function completeDueVeoJobs(pool: Pool, onlyId?: string): Promise<void> {
  await inTransaction(pool, async (db) => {
    const due = await db.query(
      `SELECT * FROM veo_jobs WHERE status = 'running' AND completes_at <= now() AND ($1::uuid IS NULL OR id = $1)
       ORDER BY completes_at LIMIT 50 FOR UPDATE SKIP LOCKED`,
      [onlyId ?? null],
    );
    for (const job of due.rows as VeoJob[]) {
      const duration = Number(job.duration_seconds);
      const scenes = detectScenes(job.id, duration);
      const features = {
        scene_count: scenes.length,
        has_hook: scenes[0]?.kind === 'hook',
        avg_motion: scenes.reduce((s, x) => s + x.motion, 0) / scenes.length,
        faces: scenes.reduce((s, x) => s + x.faces, 0),
        generator: 'veo',
      };
      const key = `${job.idempotency_key}:video`;
      const { row: video } = await insertOnce<{ id: string }>(
        db,
        'videos',
        key,
        `INSERT INTO videos (idempotency_key, source_url, kind, status, duration_seconds, scenes, features)
         VALUES ($1, $2, 'source', 'analyzed', $3, $4, $5) ON CONFLICT (idempotency_key) DO NOTHING RETURNING *`,
        [key, `veo://generations/${job.id}.mp4`, duration, JSON.stringify(scenes), JSON.stringify(features)],
      );
      await db.query(`UPDATE veo_jobs SET status = 'completed', completed_at = now(), video_id = $2 WHERE id = $1`, [
        job.id,
        video.id,
      ]);
    }
  });
}

function veoAnswer(job: VeoJob, created?: boolean) {
  return {
    veo_job_id: job.id,
    status: job.status,
    video_id: job.video_id,
    remaining_ms: Math.max(0, new Date(job.completes_at).getTime() - Date.now()),
    ...(created === undefined ? {} : { created }),
  };
}

/** Titan-Core's AI Council: the director's battle plans, the titans' recorded votes, and Veo generation jobs. */
export function registerAiCouncil(app: FastifyInstance, ctx: ServiceContext): void {
  const sweeper = setInterval(() => {
    completeDueVeoJobs(ctx.pool).catch((err) => app.log.warn({ err }, 'veo sweep failed'));
  }, SWEEP_EVERY_MS);
  sweeper.unref();
  app.addHook('onClose', async () => clearInterval(sweeper));

  /** The director: a battle plan for a campaign, stored as a pending blueprint with its storyboard. */
  app.post('/director/battle-plans', async (request, reply) => {
    const body = parseOr400(briefSchema, request.body);
    const key = ctx.idempotencyKey(request);
    const { plan, scenes, features } = battlePlan(key, body);
    // Planning is an LLM call: a couple of seconds of platform time.
    await ctx.platformDelay(request, 1500 + scenes.length * 100);
    const result = await inTransaction(ctx.pool, async (db) => {
      const storyboardKey = `${key}:storyboard`;
      const { row: storyboard } = await insertOnce<{ id: string }>(
        db,
        'videos',
        storyboardKey,
        `INSERT INTO videos (idempotency_key, source_url, kind, status, duration_seconds, scenes, features)
         VALUES ($1, $2, 'source', 'analyzed', $3, $4, $5) ON CONFLICT (idempotency_key) DO NOTHING RETURNING *`,
        [
          storyboardKey,
          `storyboard://plans/${encodeURIComponent(key)}`,
          body.duration_seconds,
          JSON.stringify(scenes),
          JSON.stringify(features),
        ],
      );
      return insertOnce<{ id: string; brief: unknown; video_id: string }>(
        db,
        'blueprints',
        key,
        `INSERT INTO blueprints (idempotency_key, video_id, brief) VALUES ($1, $2, $3)
         ON CONFLICT (idempotency_key) DO NOTHING RETURNING *`,
        [key, storyboard.id, JSON.stringify({ ...body, plan })],
      );
    });
    return reply.code(result.created ? 201 : 200).send({
      blueprint_id: result.row.id,
      storyboard_video_id: result.row.video_id,
      plan,
      created: result.created,
    });
  });

  /** The council of titans: every titan votes once per plan; approval needs a quorum of approving votes. */
  app.post('/council/titans/votes', async (request, reply) => {
    const body = parseOr400(voteSchema, request.body);
    const key = ctx.idempotencyKey(request);
    const found = await ctx.pool.query('SELECT verdict FROM blueprints WHERE id = $1', [body.blueprint_id]);
    if (!found.rowCount) throw notFound(`blueprint ${body.blueprint_id}`);
    // Each titan deliberates; they do so in parallel, so the slowest sets the pace.
    await ctx.platformDelay(request, 2500);
    const { votes, approved, score } = councilVote(key, body.predicted_ctr);
    const decided = await inTransaction(ctx.pool, async (db) => {
      for (const v of votes) {
        await db.query(
          `INSERT INTO council_votes (blueprint_id, evaluator, score, approve, reason) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (blueprint_id, evaluator) DO NOTHING`,
          [body.blueprint_id, v.evaluator, v.score, v.approve, v.reason],
        );
      }
      // The first decision stands: a retry after the verdict changes nothing.
      const res = await db.query(
        `UPDATE blueprints SET verdict = $2, council_votes = $3, score = $4, decided_at = now()
         WHERE id = $1 AND verdict = 'pending' RETURNING id`,
        [body.blueprint_id, approved ? 'approved' : 'rejected', JSON.stringify(votes), score],
      );
      const row = (await db.query('SELECT verdict, score FROM blueprints WHERE id = $1', [body.blueprint_id])).rows[0];
      const stored = await db.query(
        'SELECT evaluator, score, approve, reason FROM council_votes WHERE blueprint_id = $1 ORDER BY id',
        [body.blueprint_id],
      );
      return {
        created: res.rowCount === 1,
        verdict: row.verdict as string,
        score: row.score as number,
        votes: stored.rows,
      };
    });
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
  });

  /** Starts a Veo generation for an approved plan; it completes on its own after its generation time. */
  app.post('/veo/jobs', async (request, reply) => {
    const body = parseOr400(veoSchema, request.body);
    const key = ctx.idempotencyKey(request);
    const found = await ctx.pool.query('SELECT verdict FROM blueprints WHERE id = $1', [body.blueprint_id]);
    if (!found.rowCount) throw notFound(`blueprint ${body.blueprint_id}`);
    if (found.rows[0].verdict !== 'approved') {
      throw new HttpError(
        409,
        'not_approved',
        `blueprint ${body.blueprint_id} is ${found.rows[0].verdict}`,
        'blueprint_id',
      );
    }
    const realMs = veoGenerationMs(key, body.duration_seconds) * request.sim.timeScale;
    const { row, created } = await insertOnce<VeoJob>(
      ctx.pool,
      'veo_jobs',
      key,
      `INSERT INTO veo_jobs (idempotency_key, blueprint_id, prompt, duration_seconds, completes_at)
       VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5)) ON CONFLICT (idempotency_key) DO NOTHING RETURNING *`,
      [key, body.blueprint_id, body.prompt, body.duration_seconds, realMs / 1000],
    );
    return reply.code(created ? 201 : 200).send(veoAnswer(row, created));
  });

  /** A cheap status check: completes the job first if its time has come. */
  app.get('/veo/jobs/:id', async (request) => {
    const { id } = parseOr400(idParams, request.params, 'path');
    await completeDueVeoJobs(ctx.pool, id);
    const found = await ctx.pool.query(
      'UPDATE veo_jobs SET status_checks = status_checks + 1 WHERE id = $1 RETURNING *',
      [id],
    );
    if (!found.rowCount) throw notFound(`veo job ${id}`);
    return veoAnswer(found.rows[0] as VeoJob);
  });
}

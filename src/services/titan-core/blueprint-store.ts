import type { Pool, PoolClient } from 'pg';
import { inTransaction, insertOnce } from '../../db/helpers';
import type { Vote } from '../../contracts/titan-core';

/** The council's verdict on a blueprint ('pending' until decided), if the blueprint exists. */
export async function blueprintVerdict(pool: Pool, id: string): Promise<string | undefined> {
  const found = await pool.query('SELECT verdict FROM blueprints WHERE id = $1', [id]);
  return found.rows[0]?.verdict;
}

/** A battle plan to store: its brief, the plan and its storyboard's scenes. */
export interface PlanToStore {
  key: string;
  brief: { duration_seconds: number } & Record<string, unknown>;
  plan: unknown;
  scenes: unknown[];
  features: Record<string, unknown>;
}

async function insertStoryboard(db: PoolClient, p: PlanToStore) {
  const storyboardKey = `${p.key}:storyboard`;
  return insertOnce<{ id: string }>(
    db,
    'videos',
    storyboardKey,
    `INSERT INTO videos (idempotency_key, source_url, kind, status, duration_seconds, scenes, features)
     VALUES ($1, $2, 'source', 'analyzed', $3, $4, $5) ON CONFLICT (idempotency_key) DO NOTHING RETURNING *`,
    [
      storyboardKey,
      `storyboard://plans/${encodeURIComponent(p.key)}`,
      p.brief.duration_seconds,
      JSON.stringify(p.scenes),
      JSON.stringify(p.features),
    ],
  );
}

/** Stores a plan as a pending blueprint with its storyboard video, once per idempotency key. */
export function storePlan(pool: Pool, p: PlanToStore) {
  return inTransaction(pool, async (db) => {
    const { row: storyboard } = await insertStoryboard(db, p);
    return insertOnce<{ id: string; brief: unknown; video_id: string }>(
      db,
      'blueprints',
      p.key,
      `INSERT INTO blueprints (idempotency_key, video_id, brief) VALUES ($1, $2, $3)
       ON CONFLICT (idempotency_key) DO NOTHING RETURNING *`,
      [p.key, storyboard.id, JSON.stringify({ ...p.brief, plan: p.plan })],
    );
  });
}

/** A stored vote of one titan. */
export interface StoredVote {
  evaluator: string;
  score: number;
  approve: boolean;
  reason: string;
}

/**
 * Records the titans' votes and the verdict. The first decision stands: a retry after the verdict changes nothing.
 * Answers the verdict and votes as stored, and whether this call decided.
 */
export function recordVerdict(pool: Pool, blueprintId: string, votes: Vote[], approved: boolean, score: number) {
  return inTransaction(pool, async (db) => {
    for (const v of votes) {
      await db.query(
        `INSERT INTO council_votes (blueprint_id, evaluator, score, approve, reason) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (blueprint_id, evaluator) DO NOTHING`,
        [blueprintId, v.evaluator, v.score, v.approve, v.reason],
      );
    }
    const res = await db.query(
      `UPDATE blueprints SET verdict = $2, council_votes = $3, score = $4, decided_at = now()
       WHERE id = $1 AND verdict = 'pending' RETURNING id`,
      [blueprintId, approved ? 'approved' : 'rejected', JSON.stringify(votes), score],
    );
    const row = (await db.query('SELECT verdict, score FROM blueprints WHERE id = $1', [blueprintId])).rows[0];
    const stored = await db.query<StoredVote>(
      'SELECT evaluator, score, approve, reason FROM council_votes WHERE blueprint_id = $1 ORDER BY id',
      [blueprintId],
    );
    return {
      created: res.rowCount === 1,
      verdict: row.verdict as string,
      score: row.score as number,
      votes: stored.rows,
    };
  });
}

/** A blueprint the council evaluated in one go (the creative flow's), to store. */
export interface EvaluatedBlueprint {
  key: string;
  campaignId: string | undefined;
  videoId: string;
  brief: Record<string, unknown>;
  votes: Vote[];
  approved: boolean;
  score: number;
}

/** Stores an evaluated blueprint once per idempotency key. */
export function storeEvaluated(pool: Pool, b: EvaluatedBlueprint) {
  return insertOnce<{ id: string; verdict: string; score: number; council_votes: unknown }>(
    pool,
    'blueprints',
    b.key,
    `INSERT INTO blueprints (idempotency_key, campaign_id, video_id, brief, verdict, council_votes, score, decided_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, now()) ON CONFLICT (idempotency_key) DO NOTHING RETURNING *`,
    [
      b.key,
      b.campaignId ?? null,
      b.videoId,
      JSON.stringify(b.brief),
      b.approved ? 'approved' : 'rejected',
      JSON.stringify(b.votes),
      b.score,
    ],
  );
}

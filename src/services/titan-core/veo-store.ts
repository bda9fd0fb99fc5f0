import type { Pool } from 'pg';
import { detectScenes } from '../drive-intel/routes';
import { inTransaction, insertOnce } from '../../db/helpers';

/** A Veo generation job as stored. */
export interface VeoJob {
  id: string;
  idempotency_key: string;
  blueprint_id: string;
  status: 'running' | 'completed' | 'failed';
  duration_seconds: string;
  completes_at: Date;
  video_id: string | null;
}

/** What a Veo job's clip looks like to the ML Service: its scenes' summary, marked as generated. */
function clipFeatures(scenes: ReturnType<typeof detectScenes>) {
  return {
    scene_count: scenes.length,
    has_hook: scenes[0]?.kind === 'hook',
    avg_motion: scenes.reduce((s, x) => s + x.motion, 0) / scenes.length,
    faces: scenes.reduce((s, x) => s + x.faces, 0),
    generator: 'veo',
  };
}

/**
 * Completes Veo jobs whose generation time has passed: the generated clip becomes a source video row.
 * Each job is claimed under a row lock, so the sweeper and a status check never complete one twice.
 */
export async function completeDueVeoJobs(pool: Pool, onlyId?: string): Promise<void> {
  await inTransaction(pool, async (db) => {
    const due = await db.query(
      `SELECT * FROM veo_jobs WHERE status = 'running' AND completes_at <= now() AND ($1::uuid IS NULL OR id = $1)
       ORDER BY completes_at LIMIT 50 FOR UPDATE SKIP LOCKED`,
      [onlyId ?? null],
    );
    for (const job of due.rows as VeoJob[]) {
      const duration = Number(job.duration_seconds);
      const scenes = detectScenes(job.id, duration);
      const key = `${job.idempotency_key}:video`;
      const { row: video } = await insertOnce<{ id: string }>(
        db,
        'videos',
        key,
        `INSERT INTO videos (idempotency_key, source_url, kind, status, duration_seconds, scenes, features)
         VALUES ($1, $2, 'source', 'analyzed', $3, $4, $5) ON CONFLICT (idempotency_key) DO NOTHING RETURNING *`,
        [
          key,
          `veo://generations/${job.id}.mp4`,
          duration,
          JSON.stringify(scenes),
          JSON.stringify(clipFeatures(scenes)),
        ],
      );
      await db.query(`UPDATE veo_jobs SET status = 'completed', completed_at = now(), video_id = $2 WHERE id = $1`, [
        job.id,
        video.id,
      ]);
    }
  });
}

/** A Veo job to start: due `realMs` from now. */
export interface VeoJobToStart {
  key: string;
  blueprintId: string;
  prompt: string;
  durationSeconds: number;
  realMs: number;
}

/** Starts a Veo job once per idempotency key; an earlier attempt's job when the key was seen. */
export function startVeoJob(pool: Pool, job: VeoJobToStart) {
  return insertOnce<VeoJob>(
    pool,
    'veo_jobs',
    job.key,
    `INSERT INTO veo_jobs (idempotency_key, blueprint_id, prompt, duration_seconds, completes_at)
     VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5)) ON CONFLICT (idempotency_key) DO NOTHING RETURNING *`,
    [job.key, job.blueprintId, job.prompt, job.durationSeconds, job.realMs / 1000],
  );
}

/** A Veo job, counting the status check; undefined when there is none. */
export async function checkVeoJob(pool: Pool, id: string): Promise<VeoJob | undefined> {
  const found = await pool.query('UPDATE veo_jobs SET status_checks = status_checks + 1 WHERE id = $1 RETURNING *', [
    id,
  ]);
  return found.rows[0];
}

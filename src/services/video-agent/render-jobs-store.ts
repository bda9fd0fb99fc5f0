import type { Pool, PoolClient } from 'pg';
import { insertOnce } from '../../db/helpers';
import { notFound } from '../shared/validation';

type Db = Pool | PoolClient;

/** A render_jobs row as the Video Agent reads it. */
export interface RenderJob {
  id: string;
  idempotency_key: string;
  status: 'queued' | 'rendering' | 'completed' | 'failed';
  source_video_id: string | null;
  output_video_id: string | null;
  spec: { aspect_ratio: '9:16' | '1:1' | '16:9'; resolution: '720p' | '1080p' };
  transitions: Array<{ status: string; module?: string; output?: Record<string, unknown>; params?: unknown }>;
}

/** One entry of a job's transitions, stamped now. */
export const transition = (status: string) => JSON.stringify([{ status, at: new Date().toISOString() }]);

/** Opens a job, or answers the one an earlier attempt with the same key opened. */
export function insertRenderJob(
  db: Db,
  job: { key: string; blueprint_id?: string; source_video_id: string; spec: unknown },
) {
  return insertOnce<RenderJob>(
    db,
    'render_jobs',
    job.key,
    `INSERT INTO render_jobs (idempotency_key, blueprint_id, source_video_id, spec, transitions)
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (idempotency_key) DO NOTHING RETURNING *`,
    [job.key, job.blueprint_id ?? null, job.source_video_id, JSON.stringify(job.spec), transition('queued')],
  );
}

/** A job's row, or a 404 naming it. */
export async function loadJob(db: Db, id: string): Promise<RenderJob> {
  const found = await db.query('SELECT * FROM render_jobs WHERE id = $1', [id]);
  if (!found.rowCount) throw notFound(`render job ${id}`);
  return found.rows[0] as RenderJob;
}

/** Moves a queued (or already rendering) job to rendering. */
export async function markRendering(db: Db, id: string): Promise<void> {
  await db.query(
    `UPDATE render_jobs SET status = 'rendering', started_at = coalesce(started_at, now()),
       transitions = transitions || $2::jsonb WHERE id = $1 AND status IN ('queued', 'rendering')`,
    [id, transition('rendering')],
  );
}

/** Completes a job with its output video; undefined when it was completed already. */
export async function completeRender(db: Db, id: string, outputVideoId: string): Promise<RenderJob | undefined> {
  const updated = await db.query(
    `UPDATE render_jobs SET status = 'completed', progress = 1, output_video_id = $2, completed_at = now(),
       transitions = transitions || $3::jsonb WHERE id = $1 AND status <> 'completed' RETURNING *`,
    [id, outputVideoId, transition('completed')],
  );
  return updated.rows[0] as RenderJob | undefined;
}

/** Appends a module's transition to an open job that has not applied it yet; undefined when it had (or closed). */
export async function appendModule(
  db: Db,
  id: string,
  change: { entries: unknown[]; module: string; progress: number },
): Promise<RenderJob | undefined> {
  const res = await db.query(
    `UPDATE render_jobs SET status = 'rendering', started_at = coalesce(started_at, now()), progress = $3,
       transitions = transitions || $2::jsonb
     WHERE id = $1 AND status IN ('queued', 'rendering') AND NOT transitions @> $4::jsonb RETURNING *`,
    [id, JSON.stringify(change.entries), change.progress, JSON.stringify([{ module: change.module }])],
  );
  return res.rows[0] as RenderJob | undefined;
}

/** Completes an open job with a module's transitions and its output video, unless the module was applied. */
export async function completeWithModule(
  db: Db,
  id: string,
  change: { entries: unknown[]; module: string; output_video_id: string },
): Promise<RenderJob | undefined> {
  const res = await db.query(
    `UPDATE render_jobs SET status = 'completed', progress = 1, output_video_id = $3, completed_at = now(),
       started_at = coalesce(started_at, now()), transitions = transitions || $2::jsonb
     WHERE id = $1 AND status IN ('queued', 'rendering') AND NOT transitions @> $4::jsonb RETURNING *`,
    [id, JSON.stringify(change.entries), change.output_video_id, JSON.stringify([{ module: change.module }])],
  );
  return res.rows[0] as RenderJob | undefined;
}

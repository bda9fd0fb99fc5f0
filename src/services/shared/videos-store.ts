import type { Pool, PoolClient } from 'pg';
import { insertOnce } from '../../db/helpers';
import { notFound } from './validation';

type Db = Pool | PoolClient;

/** A new source video (upload or ingestion), once per idempotency key. */
export interface NewVideo {
  key: string;
  campaign_id?: string;
  source_url: string;
  duration_seconds: number;
  features?: Record<string, unknown>;
}

/** Stores an upload, or answers the row an earlier attempt with the same key stored. */
export function insertSourceVideo(db: Db, video: NewVideo) {
  return insertOnce<{ id: string; status: string }>(
    db,
    'videos',
    video.key,
    `INSERT INTO videos (idempotency_key, campaign_id, source_url, duration_seconds, features)
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (idempotency_key) DO NOTHING RETURNING *`,
    [
      video.key,
      video.campaign_id ?? null,
      video.source_url,
      video.duration_seconds,
      JSON.stringify(video.features ?? {}),
    ],
  );
}

/** Stores a render's output video, once per key. */
export function insertRenderedVideo(
  db: Db,
  video: { key: string; source_url: string; duration_seconds: unknown; features?: Record<string, unknown> },
) {
  return insertOnce<{ id: string }>(
    db,
    'videos',
    video.key,
    `INSERT INTO videos (idempotency_key, source_url, kind, status, duration_seconds, features)
     VALUES ($1, $2, 'rendered', 'rendered', $3, $4) ON CONFLICT (idempotency_key) DO NOTHING RETURNING *`,
    [video.key, video.source_url, video.duration_seconds, JSON.stringify(video.features ?? {})],
  );
}

/** The named columns of a video, or a 404 naming it. */
export async function videoColumns<T>(db: Db, id: string, columns: string): Promise<T> {
  const found = await db.query(`SELECT ${columns} FROM videos WHERE id = $1`, [id]);
  if (!found.rowCount) throw notFound(`video ${id}`);
  return found.rows[0] as T;
}

/** Merges features into a video's (what earlier analysers stored survives) and, when given, sets its scenes. */
export async function updateVideoAnalysis(
  db: Db,
  id: string,
  analysis: { scenes?: unknown[]; features: Record<string, unknown> },
): Promise<void> {
  if (analysis.scenes) {
    await db.query(
      `UPDATE videos SET scenes = $2, features = features || $3, status = 'analyzed', updated_at = now() WHERE id = $1`,
      [id, JSON.stringify(analysis.scenes), JSON.stringify(analysis.features)],
    );
    return;
  }
  await db.query(`UPDATE videos SET features = features || $2, updated_at = now() WHERE id = $1`, [
    id,
    JSON.stringify(analysis.features),
  ]);
}

import type { Pool } from 'pg';

/** How many segments of a job's module are rendered, and their encoded bytes. */
export async function renderedSegments(db: Pool, jobId: string, module: string) {
  const done = await db.query(
    `SELECT count(*)::int AS n, coalesce(sum((output->>'encoded_bytes')::bigint), 0)::bigint AS bytes
     FROM render_segments WHERE render_job_id = $1 AND module = $2`,
    [jobId, module],
  );
  return { count: done.rows[0].n as number, bytes: Number(done.rows[0].bytes) };
}

/** Counts a repeated request for a segment; its stored output, or undefined when it was never rendered. */
export async function repeatSegment(db: Pool, jobId: string, module: string, segment: number) {
  const repeat = await db.query(
    `UPDATE render_segments SET requests = requests + 1
     WHERE render_job_id = $1 AND module = $2 AND segment = $3 RETURNING output`,
    [jobId, module, segment],
  );
  return repeat.rowCount ? (repeat.rows[0].output as Record<string, unknown>) : undefined;
}

/** Stores a rendered segment (a concurrent render of the same one counts as a repeat and a processing). */
export async function insertSegment(
  db: Pool,
  s: { jobId: string; module: string; segment: number; attempt: number; resumed_from: number; output: unknown },
): Promise<void> {
  await db.query(
    `INSERT INTO render_segments (render_job_id, module, segment, attempt, resumed_from, output)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (render_job_id, module, segment)
     DO UPDATE SET requests = render_segments.requests + 1, processings = render_segments.processings + 1`,
    [s.jobId, s.module, s.segment, s.attempt, s.resumed_from, JSON.stringify(s.output)],
  );
}

import type { Pool } from 'pg';
import { z } from 'zod';
import { standardResultSchema, type StandardResult } from '../result/schema';

/** The one place that reads and writes the stress_runs table (see migrations): a finished run's final result. */

/** A stored run: its result and when it started and finished. */
export interface StoredRun {
  runId: string;
  flow: string;
  startedAt: Date;
  finishedAt: Date;
  result: StandardResult;
}

const rowSchema = z.object({
  run_id: z.string(),
  flow: z.string(),
  started_at: z.date(),
  finished_at: z.date(),
  result: standardResultSchema,
});

const toRun = (row: unknown): StoredRun => {
  const r = rowSchema.parse(row);
  return { runId: r.run_id, flow: r.flow, startedAt: r.started_at, finishedAt: r.finished_at, result: r.result };
};

const COLUMNS = 'run_id, flow, started_at, finished_at, result';

/** Stores (or, on retry, overwrites with the same) a run's final result. */
export async function saveStressRun(pool: Pool, result: StandardResult, startedAt: number): Promise<void> {
  await pool.query(
    `INSERT INTO stress_runs (run_id, flow, params, result, success_rate, started_at)
     VALUES ($1, $2, $3, $4, $5, to_timestamp($6 / 1000.0))
     ON CONFLICT (run_id) DO UPDATE SET result = EXCLUDED.result, success_rate = EXCLUDED.success_rate,
       finished_at = now()`,
    [result.run_id, result.flow, JSON.stringify(result.params), JSON.stringify(result), result.success_rate, startedAt],
  );
}

/** A run by id. */
export async function runById(pool: Pool, runId: string): Promise<StoredRun | undefined> {
  const res = await pool.query(`SELECT ${COLUMNS} FROM stress_runs WHERE run_id = $1`, [runId]);
  return res.rowCount ? toRun(res.rows[0]) : undefined;
}

/** A flow's most recently finished run, other than `exclude` (the current run's own row). */
export async function latestRunOf(pool: Pool, flow: string, exclude = ''): Promise<StoredRun | undefined> {
  const res = await pool.query(
    `SELECT ${COLUMNS} FROM stress_runs WHERE flow = $1 AND run_id <> $2 ORDER BY finished_at DESC LIMIT 1`,
    [flow, exclude],
  );
  return res.rowCount ? toRun(res.rows[0]) : undefined;
}

/** A flow's most recent runs, oldest first. */
export async function recentRunsOf(pool: Pool, flow: string, limit: number): Promise<StoredRun[]> {
  const res = await pool.query(
    `SELECT ${COLUMNS} FROM stress_runs WHERE flow = $1 ORDER BY finished_at DESC LIMIT $2`,
    [flow, limit],
  );
  return res.rows.map(toRun).reverse();
}

/** The stored runs of a suite's flows, whose run ids are `<suite-id>-<flow>`, in the order they finished. */
export async function suiteRuns(pool: Pool, suiteId: string): Promise<StoredRun[]> {
  const prefix = `${suiteId.replace(/[\\%_]/g, (c) => `\\${c}`)}-%`;
  const res = await pool.query(`SELECT ${COLUMNS} FROM stress_runs WHERE run_id LIKE $1 ORDER BY finished_at`, [
    prefix,
  ]);
  return res.rows.map(toRun);
}

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
  /** Set on a re-run: the run whose failed flows it re-ran. */
  rerunOf?: string;
}

const rowSchema = z.object({
  run_id: z.string(),
  flow: z.string(),
  started_at: z.date(),
  finished_at: z.date(),
  result: standardResultSchema,
  rerun_of: z.string().nullable(),
});

const toRun = (row: unknown): StoredRun => {
  const r = rowSchema.parse(row);
  const run = { runId: r.run_id, flow: r.flow, startedAt: r.started_at, finishedAt: r.finished_at, result: r.result };
  return r.rerun_of ? { ...run, rerunOf: r.rerun_of } : run;
};

// rerun_of is read through the row's JSON: a database not yet migrated to 012 (read offline) has no such column.
const RERUN_OF = "to_jsonb(stress_runs) ->> 'rerun_of'";
const COLUMNS = `run_id, flow, started_at, finished_at, result, ${RERUN_OF} AS rerun_of`;
// A re-run holds only the flows it re-ran: it is no baseline, no point of a flow's history, no run of a suite.
const FULL_RUNS = `${RERUN_OF} IS NULL`;

/** Stores (or, on retry, overwrites with the same) a run's final result; `rerunOf` for a re-run. */
export async function saveStressRun(
  pool: Pool,
  result: StandardResult,
  startedAt: number,
  rerunOf: string | null = null,
): Promise<void> {
  const { run_id, flow, params, success_rate } = result;
  // A run names no rerun_of column, so it stores on a database not yet migrated to 012 too.
  const [column, value] = rerunOf === null ? ['', ''] : [', rerun_of', ', $7'];
  await pool.query(
    `INSERT INTO stress_runs (run_id, flow, params, result, success_rate, started_at${column})
     VALUES ($1, $2, $3, $4, $5, to_timestamp($6 / 1000.0)${value})
     ON CONFLICT (run_id) DO UPDATE SET result = EXCLUDED.result, success_rate = EXCLUDED.success_rate,
       finished_at = now()`,
    [
      run_id,
      flow,
      JSON.stringify(params),
      JSON.stringify(result),
      success_rate,
      startedAt,
      ...(rerunOf ? [rerunOf] : []),
    ],
  );
}

/** How many re-runs of `runId` are stored. */
export async function rerunCount(pool: Pool, runId: string): Promise<number> {
  const res = await pool.query(`SELECT count(*)::int AS n FROM stress_runs WHERE ${RERUN_OF} = $1`, [runId]);
  return res.rows[0].n as number;
}

/** A run by id. */
export async function runById(pool: Pool, runId: string): Promise<StoredRun | undefined> {
  const res = await pool.query(`SELECT ${COLUMNS} FROM stress_runs WHERE run_id = $1`, [runId]);
  return res.rowCount ? toRun(res.rows[0]) : undefined;
}

/** A flow's most recently finished run, other than `exclude` (the current run's own row). */
export async function latestRunOf(pool: Pool, flow: string, exclude = ''): Promise<StoredRun | undefined> {
  const res = await pool.query(
    `SELECT ${COLUMNS} FROM stress_runs WHERE flow = $1 AND run_id <> $2 AND ${FULL_RUNS}
     ORDER BY finished_at DESC LIMIT 1`,
    [flow, exclude],
  );
  return res.rowCount ? toRun(res.rows[0]) : undefined;
}

/** A flow's most recent runs, oldest first. */
export async function recentRunsOf(pool: Pool, flow: string, limit: number): Promise<StoredRun[]> {
  const res = await pool.query(
    `SELECT ${COLUMNS} FROM stress_runs WHERE flow = $1 AND ${FULL_RUNS} ORDER BY finished_at DESC LIMIT $2`,
    [flow, limit],
  );
  return res.rows.map(toRun).reverse();
}

/** The stored runs of a suite's flows, whose run ids are `<suite-id>-<flow>`, in the order they finished. */
export async function suiteRuns(pool: Pool, suiteId: string): Promise<StoredRun[]> {
  const prefix = `${suiteId.replace(/[\\%_]/g, (c) => `\\${c}`)}-%`;
  const res = await pool.query(
    `SELECT ${COLUMNS} FROM stress_runs WHERE run_id LIKE $1 AND ${FULL_RUNS} ORDER BY finished_at`,
    [prefix],
  );
  return res.rows.map(toRun);
}

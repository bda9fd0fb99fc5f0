import type { Pool } from 'pg';
import { z } from 'zod';
import { FLOW_NAMES, isFlowName, type FlowName } from '../flows/catalog';
import { standardResultSchema, type StandardResult } from '../result/schema';

/** A run named on the command line: its id, or `latest:<flow>` for that flow's most recent finished run. */
export type RunRef = { kind: 'id'; id: string } | { kind: 'latest'; flow: FlowName };

export const runRefSchema = z.string().transform((text, ctx): RunRef => {
  const latest = /^latest:(.*)$/.exec(text);
  if (latest) {
    if (isFlowName(latest[1])) return { kind: 'latest', flow: latest[1] };
    ctx.addIssue({
      code: 'custom',
      message: `'${text}': unknown flow '${latest[1]}'; valid flows are ${FLOW_NAMES.join(', ')}`,
    });
    return z.NEVER;
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9._:-]{0,254}$/.test(text)) {
    ctx.addIssue({ code: 'custom', message: `'${text}' is not a run id or latest:<flow>` });
    return z.NEVER;
  }
  return { kind: 'id', id: text };
});

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

/** A run by id, or the latest of a flow finished before `before` (the current run's own row excluded). */
export async function loadRun(pool: Pool, ref: RunRef, exclude?: string): Promise<StoredRun | undefined> {
  const res =
    ref.kind === 'id'
      ? await pool.query(`SELECT ${COLUMNS} FROM stress_runs WHERE run_id = $1`, [ref.id])
      : await pool.query(
          `SELECT ${COLUMNS} FROM stress_runs WHERE flow = $1 AND run_id <> $2 ORDER BY finished_at DESC LIMIT 1`,
          [ref.flow, exclude ?? ''],
        );
  return res.rowCount ? toRun(res.rows[0]) : undefined;
}

/** A flow's most recent runs, oldest first. */
export async function flowHistory(pool: Pool, flow: FlowName, limit: number): Promise<StoredRun[]> {
  const res = await pool.query(
    `SELECT ${COLUMNS} FROM stress_runs WHERE flow = $1 ORDER BY finished_at DESC LIMIT $2`,
    [flow, limit],
  );
  return res.rows.map(toRun).reverse();
}

/** How a ref reads in a message. */
export const describeRef = (ref: RunRef) => (ref.kind === 'id' ? `run '${ref.id}'` : `latest:${ref.flow}`);

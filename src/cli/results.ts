import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { createPool } from '../db/pool';
import { standardResultSchema, type StandardResult } from '../result/schema';
import { suiteResultSchema, type SuiteResult } from '../result/suite-schema';
import { suiteSummaryQuery, summaryQuery } from '../workflows/definitions';

/** A run's final result as stored in stress_runs, if it finished and stored one. */
export async function storedResult(pool: Pool, runId: string): Promise<StandardResult | undefined> {
  const row = await pool.query('SELECT result FROM stress_runs WHERE run_id = $1', [runId]);
  return row.rowCount ? standardResultSchema.parse(row.rows[0].result) : undefined;
}

/** The stored results of a suite's flow runs, whose run ids are `<suite-id>-<flow>`, in the order they finished. */
export async function storedSuiteRuns(pool: Pool, suiteId: string): Promise<StandardResult[]> {
  const prefix = `${suiteId.replace(/[\\%_]/g, (c) => `\\${c}`)}-%`;
  const rows = await pool.query('SELECT result FROM stress_runs WHERE run_id LIKE $1 ORDER BY finished_at', [prefix]);
  return rows.rows.map((r) => standardResultSchema.parse(r.result));
}

/** The result of a run: from its summary query, or its closed result, or the stress_runs table. */
export async function fetchResult(
  client: Client,
  runId: string,
  databaseUrl?: string,
): Promise<StandardResult | undefined> {
  const handle = client.workflow.getHandle(runId);
  try {
    const description = await handle.describe();
    if (description.status.name === 'COMPLETED') return standardResultSchema.parse(await handle.result());
    // Running, failed, terminated, cancelled: the summary query still answers what the run got through.
    return await handle.query(summaryQuery);
  } catch (err) {
    if ((err as Error).name !== 'WorkflowNotFoundError') throw err;
  }
  if (!databaseUrl) return undefined;
  const pool = createPool(databaseUrl, 1);
  try {
    return await storedResult(pool, runId);
  } finally {
    await pool.end();
  }
}

/** A suite's result (from its query, or its closed result), or undefined when the id is not a suite. */
export async function fetchSuite(client: Client, id: string): Promise<SuiteResult | undefined> {
  const handle = client.workflow.getHandle(id);
  try {
    const description = await handle.describe();
    if (description.type !== 'stressSuite') return undefined;
    if (description.status.name === 'COMPLETED') return suiteResultSchema.parse(await handle.result());
    return await handle.query(suiteSummaryQuery);
  } catch (err) {
    if ((err as Error).name === 'WorkflowNotFoundError') return undefined;
    throw err;
  }
}

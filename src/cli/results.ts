import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { createPool } from '../db/pool';
import { runById, suiteRuns } from '../db/stress-runs-store';
import { standardResultSchema, type StandardResult } from '../result/schema';
import { suiteResultSchema, type SuiteResult } from '../result/suite-schema';
import { suiteSummaryQuery, summaryQuery } from '../workflows/definitions';

/** A run's stored result, or for a suite id its flow runs' stored results (ids `<suite-id>-<flow>`). */
export async function storedRuns(pool: Pool, id: string): Promise<StandardResult[]> {
  const run = await runById(pool, id);
  return run ? [run.result] : (await suiteRuns(pool, id)).map((r) => r.result);
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
    return (await runById(pool, runId))?.result;
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

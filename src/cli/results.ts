import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import type { Pool } from 'pg';
import { createPool } from '../db/pool';
import { runById, suiteRuns } from '../db/stress-runs-store';
import { standardResultSchema, type StandardResult } from '../result/schema';
import { suiteResultSchema, type SuiteResult } from '../result/suite-schema';
import { suiteSummaryQuery, summaryQuery } from '../workflows/definitions';

/** Temporal's answer for an id it holds no workflow of. */
export const isWorkflowNotFound = (err: unknown) => (err as Error).name === 'WorkflowNotFoundError';

/** A workflow's description, or undefined when Temporal holds no workflow of that id. */
export async function describeIfAny(client: Client, id: string): Promise<WorkflowExecutionDescription | undefined> {
  try {
    return await client.workflow.getHandle(id).describe();
  } catch (err) {
    if (!isWorkflowNotFound(err)) throw err;
    return undefined;
  }
}

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
    if (!isWorkflowNotFound(err)) throw err;
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
    if (isWorkflowNotFound(err)) return undefined;
    throw err;
  }
}

import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { FlowOutcome } from '../../src/flows/types';
import type { StandardResult } from '../../src/result/schema';
import type { StartOptions } from '../../src/cli/start-options';
import { BUILT_IN_PROFILES, type FaultProfile } from '../../src/contracts/fault-profile';
import { summaryQuery } from '../../src/workflows/definitions';

export type RunOverrides = Partial<StartOptions> & { faults?: FaultProfile };

/** Start options for a test run: no injected latency unless the profile says so, a fast platform clock. */
export function runOptions(overrides: RunOverrides = {}): StartOptions {
  return {
    flow: 'creative-flow',
    count: 20,
    concurrency: 5,
    timeScale: 0.01,
    seed: 7,
    faultsName: overrides.faults?.name ?? 'none',
    faults: BUILT_IN_PROFILES.none,
    thresholds: [],
    ...overrides,
  };
}

/** Rows a run's flows wrote to a table, counted per idempotency key of the given step. */
export async function rowsPerFlow(
  pool: Pool,
  table: string,
  runId: string,
  step: string,
): Promise<Map<string, number>> {
  const res = await pool.query(
    `SELECT idempotency_key AS key, count(*)::int AS n FROM ${table}
     WHERE idempotency_key LIKE $1 GROUP BY idempotency_key`,
    [`${runId}-%:${step}`],
  );
  return new Map(res.rows.map((r) => [r.key, r.n]));
}

/** Waits (on the real condition, polling the summary query) until a run has completed at least `n` flows. */
export async function waitForCompleted(client: Client, runId: string, n: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const summary = await client.workflow
      .getHandle(runId)
      .query(summaryQuery)
      .catch(() => undefined);
    if (summary && summary.completed_operations >= n) return;
    if (Date.now() > deadline) throw new Error(`run ${runId} did not reach ${n} completed flows in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Every flow's rows exist exactly once: one per flow for the steps every flow runs, one per approved flow after. */
export async function expectRowsOncePerFlow(pool: Pool, result: StandardResult): Promise<void> {
  const approved = result.successful - result.rejected;
  const expected: Array<[string, string, number]> = [
    ['videos', 'video_upload', result.total_operations],
    ['predictions', 'ctr_prediction', result.total_operations],
    ['blueprints', 'council_evaluation', result.total_operations],
    ['render_jobs', 'video_rendering', approved],
    ['pending_ad_changes', 'meta_queue', approved],
  ];
  for (const [table, step, flows] of expected) {
    const rows = await rowsPerFlow(pool, table, result.run_id, step);
    expect({ table, flows: rows.size }).toEqual({ table, flows });
    expect([...rows.values()].every((n) => n === 1)).toBe(true);
  }
  // Each render job went through its states, and produced exactly one rendered video.
  const jobs = await pool.query(
    `SELECT status, transitions, output_video_id FROM render_jobs WHERE idempotency_key LIKE $1`,
    [`${result.run_id}-%`],
  );
  for (const job of jobs.rows) {
    expect(job.status).toBe('completed');
    const states = (job.transitions as Array<{ status: string }>).map((t) => t.status);
    expect(states[0]).toBe('queued');
    expect(states).toContain('rendering');
    expect(states.at(-1)).toBe('completed');
  }
  const outputs = await pool.query(`SELECT count(*)::int AS n FROM videos WHERE idempotency_key LIKE $1`, [
    `${result.run_id}-%:video_rendering:output`,
  ]);
  expect(outputs.rows[0].n).toBe(approved);
  // The council's verdicts match the result's rejections.
  const verdicts = await pool.query(
    `SELECT count(*) FILTER (WHERE verdict = 'rejected')::int AS rejected FROM blueprints WHERE idempotency_key LIKE $1`,
    [`${result.run_id}-%`],
  );
  expect(verdicts.rows[0].rejected).toBe(result.rejected);
}

/** The first failed flow of a run, as "step: error", so a failing assertion on a run explains itself. */
export async function firstFailure(client: Client, result: StandardResult): Promise<string | null> {
  for (let i = 0; i < result.total_operations; i++) {
    const outcome = (await client.workflow
      .getHandle(childWorkflowId(result.run_id, i))
      .result()
      .catch(() => undefined)) as FlowOutcome | undefined;
    if (outcome?.outcome === 'failed') return `${outcome.failed_step}: ${outcome.error}`;
  }
  return null;
}

/** The workflow id of a run's flow number `index`, as the stress-run parent names its children. */
export function childWorkflowId(runId: string, index: number): string {
  return `${runId}-${String(index).padStart(5, '0')}`;
}

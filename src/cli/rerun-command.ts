import type { Client } from '@temporalio/client';
import type { Endpoints } from '../config';
import { createPool } from '../db/pool';
import { rerunCount, saveStressRun } from '../db/stress-runs-store';
import type { FlowOutcome } from '../flows/types';
import { planRerun } from '../rerun/find-flows';
import { mapLimited } from '../rerun/pool';
import { resetFlow } from '../rerun/reset';
import { rerunIdOf, rerunOriginOf, rerunResult } from '../rerun/summary';
import { awaitResetRuns } from '../rerun/wait';
import type { StandardResult } from '../result/schema';
import { temporalAnswers } from '../stack/temporal-server';
import { connectClient } from '../temporal-connection';
import { resolveEndpoints } from './endpoints';
import { CommandFailure, EXIT, UsageError } from './errors';
import { formatResult, NO_WEB_UI, webUiLinks } from './format';
import { say } from './print-result';
import { describeIfAny, fetchResult } from './results';
import {
  formatDryRun,
  formatLeftOut,
  formatRerunHead,
  formatRerunProgress,
  splitPlans,
  type RerunPlan,
} from './rerun-format';
import type { RerunOptions } from './rerun-options';
import { workerIsPolling } from './run-stress';

/** The run to re-run: a stress run Temporal holds that has ended; anything else is one line and exit 2. */
async function endedRun(client: Client, endpoints: Endpoints, runId: string): Promise<StandardResult> {
  const description = await describeIfAny(client, runId);
  if (!description) {
    const origin = rerunOriginOf(runId);
    const hint = origin ? ` (a re-run is no workflow of its own: re-run '${origin}' again)` : '';
    throw new UsageError(`no run '${runId}' in Temporal at ${endpoints.temporalAddress}${hint}`);
  }
  if (description.type === 'stressSuite') {
    throw new UsageError(`'${runId}' is a suite: re-run its flows' runs one at a time ('${runId}-<flow>')`);
  }
  if (description.type !== 'stressRun') throw new UsageError(`'${runId}' is a ${description.type}, not a stress run`);
  if (description.status.name === 'RUNNING') {
    throw new UsageError(`run '${runId}' is still in progress: re-run its failed flows once it has ended`);
  }
  const result = await fetchResult(client, runId);
  if (!result) throw new UsageError(`no result of run '${runId}' in Temporal at ${endpoints.temporalAddress}`);
  return result;
}

/** The re-run's id and, when a database is known, the pool it is stored with. */
async function rerunIdentity(endpoints: Endpoints, runId: string) {
  if (!endpoints.databaseUrl) {
    say('no database is known (DATABASE_URL, or a running stack): the re-run is printed, not stored');
    return { rerunId: rerunIdOf(runId, 0) };
  }
  const pool = createPool(endpoints.databaseUrl, 1);
  return { rerunId: rerunIdOf(runId, await rerunCount(pool, runId)), pool };
}

/** Resets every flow of the plan (8 at a time) and waits for them, with a progress line on a terminal. */
async function resetAndWait(client: Client, plan: RerunPlan, rerunId: string): Promise<FlowOutcome[]> {
  const reason = `npm run rerun: ${rerunId}`;
  const runs = await mapLimited(plan.resets, 8, async (f) => ({
    workflowId: f.workflowId,
    runId: await resetFlow(client, { ...f, eventId: f.verdict.eventId }, reason, `${rerunId}:${f.workflowId}`),
  }));
  say(`reset ${runs.length} flow${runs.length === 1 ? '' : 's'}; waiting for them to finish`);
  const tty = process.stderr.isTTY;
  let done = 0;
  let failed = 0;
  const outcomes = await awaitResetRuns(client, runs, (o) => {
    done += 1;
    if (o.outcome === 'failed') failed += 1;
    if (tty) process.stderr.write(`\r\x1b[2K${formatRerunProgress(done, failed, runs.length)}`);
  });
  if (tty) process.stderr.write('\r\x1b[2K');
  return outcomes;
}

/** Prints the re-run's result, its headline and what it left out, with a link to the run's flows. */
function printRerun(runId: string, result: StandardResult, plan: RerunPlan, endpoints: Endpoints): void {
  const links = webUiLinks(endpoints.temporalUiUrl, endpoints.namespace, runId);
  const left = formatLeftOut(plan);
  process.stdout.write(
    [
      formatResult(result),
      '',
      formatRerunHead(runId, result),
      ...left,
      '',
      `re-run id: ${result.run_id} (re-ran ${runId})`,
      `flows:  ${links?.children ?? NO_WEB_UI}`,
      '',
    ].join('\n'),
  );
}

/** Stores the re-run as a run of its own, naming the run it re-ran; a store that fails is said, not hidden. */
async function store(
  identity: Awaited<ReturnType<typeof rerunIdentity>>,
  result: StandardResult,
  runId: string,
  began: number,
) {
  if (!identity.pool) return;
  try {
    await saveStressRun(identity.pool, result, began, runId);
    say(`stored in stress_runs as ${result.run_id} (rerun_of ${runId}); npm run report ${result.run_id} shows it`);
  } catch (err) {
    throw new CommandFailure(`could not store the re-run in stress_runs: ${(err as Error).message}`);
  }
}

/** The re-run itself, on a connected client: plan, reset, wait, print, store. */
async function rerunOn(client: Client, endpoints: Endpoints, opts: RerunOptions): Promise<number> {
  const original = await endedRun(client, endpoints, opts.runId);
  const dropped = original.failure_points.dropped ?? 0;
  const plans = await planRerun(client, opts.runId, original.failed - dropped);
  const plan = splitPlans(plans, dropped);
  if (opts.dryRun) {
    process.stdout.write(`${formatDryRun(opts.runId, plan)}\n`);
    return EXIT.ok;
  }
  if (!plan.resets.length) {
    process.stdout.write(
      [`nothing to re-run: no failed flow of ${opts.runId} to reset`, ...formatLeftOut(plan), ''].join('\n'),
    );
    return EXIT.ok;
  }
  if (!(await workerIsPolling(client))) say("warning: no worker polls the task queue; start one with 'npm run worker'");
  const identity = await rerunIdentity(endpoints, opts.runId);
  try {
    const began = Date.now();
    const outcomes = await resetAndWait(client, plan, identity.rerunId);
    const flows = outcomes.map((outcome, i) => ({
      outcome,
      workflowId: plan.resets[i].workflowId,
      fromStep: plan.resets[i].verdict.step,
    }));
    const result = rerunResult(original, identity.rerunId, flows, Date.now() - began);
    printRerun(opts.runId, result, plan, endpoints);
    await store(identity, result, opts.runId, began);
    return result.failed ? EXIT.thresholdFailed : EXIT.ok;
  } finally {
    await identity.pool?.end();
  }
}

/** `rerun <run-id> [--dry-run]`: resets a finished run's failed flows to their failed step and reports them. */
export async function rerunCommand(opts: RerunOptions): Promise<number> {
  const { endpoints } = resolveEndpoints();
  if (!(await temporalAnswers(endpoints.temporalAddress))) {
    throw new CommandFailure(
      `no Temporal server answers at ${endpoints.temporalAddress}: start the stack the run ran on ('npm run stack')`,
    );
  }
  const client = await connectClient(endpoints, say);
  try {
    return await rerunOn(client, endpoints, opts);
  } finally {
    await client.connection.close();
  }
}

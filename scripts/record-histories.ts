/**
 * Re-records every replay fixture (test/replay/cases.ts) into test/replay/histories: a local Temporal dev server
 * from the project's temporal CLI (nothing is downloaded), the production workflow bundle, STUB activities.
 */
import type { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import fs from 'node:fs';
import path from 'node:path';
import prettier from 'prettier';
import type { HttpDeps } from '../src/activities/http';
import { createLoadActivities } from '../src/activities/load';
import { FLOW_NAME, RUN_OUTCOME, STRESS_RUN_ID } from '../src/flows/search-attributes';
import { findTemporalCli } from '../src/stack/temporal-cli';
import { workflowBundle } from '../src/workflow-bundle';
import { fixtureFile, HISTORIES_DIR, REPLAY_CASES, runOf, workflowIdOf, type ReplayCase } from '../test/replay/cases';
import { historyToJson, type History } from '../test/replay/history-json';
import { stubActivities } from '../test/workflow/support/stubs';

/** The histories of a workflow id's runs, first to last, following each continue-as-new. */
async function runsOf(client: Client, workflowId: string, firstRunId: string): Promise<History[]> {
  const runs: History[] = [];
  for (let runId: string | undefined = firstRunId; runId;) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    runs.push(history);
    runId = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return runs;
}

/** Runs one case on its own worker and task queue, and answers its runs' histories. */
async function record(env: TestWorkflowEnvironment, codePath: string, c: ReplayCase): Promise<History[]> {
  const stubs = stubActivities(c.plans?.());
  // The real collect_flows (it asks Temporal, not a service): the open model's later runs collect flows with it.
  const { collect_flows } = createLoadActivities({} as HttpDeps);
  const taskQueue = `record-${c.name}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle: { codePath },
    activities: { ...stubs.activities, collect_flows },
  });
  return worker.runUntil(async () => {
    const workflowId = workflowIdOf(c);
    const handle = await env.client.workflow.start(c.workflowType, { taskQueue, workflowId, args: c.args });
    await handle.result();
    return runsOf(env.client, workflowId, handle.firstExecutionRunId);
  });
}

/** A history as Temporal's JSON, formatted as prettier would (the fixtures are checked by `npm run lint`). */
async function fixtureText(history: History, file: string): Promise<string> {
  const options = (await prettier.resolveConfig(file)) ?? {};
  return prettier.format(JSON.stringify(historyToJson(history)), { ...options, filepath: file });
}

async function main(): Promise<void> {
  // `npm run record-histories -- <case> ...` records only those cases.
  const only = process.argv.slice(2);
  const unknown = only.filter((name) => !REPLAY_CASES.some((c) => c.name === name));
  if (unknown.length) throw new Error(`no replay case ${unknown.join(', ')} in test/replay/cases.ts`);
  const cases = only.length ? REPLAY_CASES.filter((c) => only.includes(c.name)) : REPLAY_CASES;
  const cli = findTemporalCli();
  if (!cli) throw new Error('no temporal CLI: run `npm run install-temporal` or set TEMPORAL_CLI_PATH');
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const [{ codePath }, env] = await Promise.all([
    workflowBundle(),
    TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: cli },
        searchAttributes: [FLOW_NAME, STRESS_RUN_ID, RUN_OUTCOME],
        extraArgs: ['--log-level', 'error'],
      },
    }),
  ]);
  try {
    fs.mkdirSync(HISTORIES_DIR, { recursive: true });
    const claimed = (file: string, among: ReplayCase[]) => among.some((c) => runOf(c, file) !== undefined);
    // A case's old runs go (a chain may come out shorter), and so, on a full recording, do files no case claims.
    for (const f of fs.readdirSync(HISTORIES_DIR)) {
      if (claimed(f, cases) || (!only.length && !claimed(f, REPLAY_CASES))) fs.rmSync(path.join(HISTORIES_DIR, f));
    }
    for (const c of cases) {
      const began = Date.now();
      const runs = await record(env, codePath, c);
      const children = runs.map((h) => h.events?.filter((e) => e.startChildWorkflowExecutionInitiatedEventAttributes));
      if (runs.length < (c.minRuns ?? 1) || (c.minRuns === undefined && runs.length > 1)) {
        throw new Error(
          `${c.name}: recorded ${runs.length} runs (children started: ${children.map((e) => e?.length ?? 0).join(', ')}), ` +
            `the case expects ${c.minRuns ?? 1}${c.minRuns ? ' or more' : ''}: make its timing less tight`,
        );
      }
      const sizes: string[] = [];
      for (const [i, history] of runs.entries()) {
        const file = path.join(HISTORIES_DIR, fixtureFile(c, i + 1));
        fs.writeFileSync(file, await fixtureText(history, file));
        sizes.push(`${(fs.statSync(file).size / 1024).toFixed(1)} KB`);
      }
      console.log(`${c.name}: ${runs.length} run(s), ${sizes.join(' + ')}, ${Date.now() - began} ms`);
    }
  } finally {
    await env.teardown();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

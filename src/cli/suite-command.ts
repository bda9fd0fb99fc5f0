import type { Client } from '@temporalio/client';
import fs from 'node:fs';
import { TASK_QUEUE, type Endpoints } from '../config';
import type { ChaosSection } from '../result/schema';
import { FLOW_NAME, STRESS_RUN_ID } from '../flows/search-attributes';
import { suiteResultSchema, type SuiteResult } from '../result/suite-schema';
import { suiteSummaryQuery, summaryQuery } from '../workflows/definitions';
import type { StressSuiteInput } from '../workflows/stress-suite';
import { EXIT } from './errors';
import { formatProgress, NO_WEB_UI, webUiLinks } from './format';
import { describeLoad } from './load-options';
import { poll, type Poll } from './poll';
import { makeRunId, stressRunInput } from './run-stress';
import { formatChaos } from './chaos-format';
import { withRunSession } from './stack-session';
import { formatSuite } from './suite-format';
import type { SuiteOptions } from './suite-options';
import { thresholdOutcome, type FlowReport } from '../report/flow-report';
import type { RunReportOptions } from './report-options';
import { finishReports } from './run-reports';

const say = (line: string) => process.stderr.write(`${line}\n`);

/** The suite workflow's input: one stress run per flow, each with its own run id under the suite's. */
export function stressSuiteInput(opts: SuiteOptions, suiteId: string): StressSuiteInput {
  return {
    runs: opts.runs.map((o) => ({ ...stressRunInput(o, `${suiteId}-${o.flow}`), runId: `${suiteId}-${o.flow}` })),
    thresholds: opts.thresholds,
  };
}

export async function startStressSuite(client: Client, opts: SuiteOptions, suiteId = makeRunId('suite')) {
  return client.workflow.start('stressSuite', {
    taskQueue: TASK_QUEUE,
    workflowId: suiteId,
    args: [stressSuiteInput(opts, suiteId)],
    typedSearchAttributes: [
      { key: FLOW_NAME, value: 'suite' },
      { key: STRESS_RUN_ID, value: suiteId },
    ],
    memo: {
      flows: opts.runs.map((r) => `${r.flow} ${describeLoad(r.load, r.count, r.concurrency)}`),
      thresholds: opts.thresholds.map((t) => t.text),
    },
  });
}

/** One progress line: which flow of how many, and that flow's own progress. */
async function progressLine(client: Client, s: SuiteResult): Promise<string> {
  const at = s.flows.findIndex((f) => f.status === 'running');
  if (at < 0) return `suite: ${s.flows.filter((f) => f.status !== 'pending').length}/${s.flows.length} flows done`;
  const run = await client.workflow
    .getHandle(s.flows[at].run_id)
    .query(summaryQuery)
    .catch(() => undefined);
  return `suite ${at + 1}/${s.flows.length} · ${run ? formatProgress(run) : `${s.flows[at].flow}: starting`}`;
}

/** Each flow of a suite as the reports see it, with the suite's threshold checks. */
export function suiteFlowReports(result: SuiteResult): FlowReport[] {
  return result.flows.map((f) => ({
    flow: f.flow,
    run_id: f.run_id,
    result: f.result,
    error: f.error ?? (f.result ? undefined : `the flow's run ended ${f.status}`),
    checks: (f.checks ?? []).map((c) => thresholdOutcome(c.threshold, c.actual, c.passed)),
  }));
}

type SuiteHandle = Awaited<ReturnType<typeof startStressSuite>>;

/** The suite's progress while it runs: on a terminal one live line, off it one line per flow as it finishes. */
function showSuiteProgress(client: Client, handle: SuiteHandle): Poll {
  const summary = () => handle.query(suiteSummaryQuery);
  if (process.stderr.isTTY) {
    const line = () => summary().then((s) => progressLine(client, s));
    return poll(line, (text) => process.stderr.write(`\r\x1b[2K${text}`), 1000);
  }
  let reported = 0;
  const finished = (s: SuiteResult) => {
    for (; reported < s.flows.length && ['completed', 'failed'].includes(s.flows[reported].status); reported++) {
      const f = s.flows[reported];
      say(`${f.flow}: ${f.status}${f.result ? `, success rate ${f.result.success_rate.toFixed(1)}%` : ''}`);
    }
  };
  return poll(summary, finished, 2000);
}

/** The suite's table, its id and Web UI links, its chaos kills; with --json, the result written. */
function printSuiteResult(result: SuiteResult, endpoints: Endpoints, kills: ChaosSection | undefined, json?: string) {
  const links = webUiLinks(endpoints.temporalUiUrl, endpoints.namespace, result.suite_id);
  const runs = webUiLinks(endpoints.temporalUiUrl, endpoints.namespace, result.suite_id, 'ParentWorkflowId');
  const ui = links && runs ? `Web UI: ${links.parent}\nflow runs: ${runs.children}` : `Web UI: ${NO_WEB_UI}`;
  process.stdout.write(`${formatSuite(result)}\n\nsuite id: ${result.suite_id}\n${ui}\n`);
  if (kills) process.stdout.write(`\n${formatChaos(kills)}\n`);
  if (json) {
    fs.writeFileSync(json, JSON.stringify(result, null, 2) + '\n');
    say(`suite result written to ${json}`);
  }
}

/** `start-workflow all` / `stress-suite`: runs every flow's stress run in one suite workflow, prints one table. */
export async function stressSuiteCommand(
  opts: SuiteOptions,
  reports: RunReportOptions = { limits: [] },
): Promise<number> {
  const chaos = opts.chaos && { plan: opts.chaos, seed: opts.runs[0].seed };
  const work = { what: 'suite', chaos, monitoring: opts.monitoring };
  return withRunSession(say, work, async (client, endpoints, session) => {
    const handle = await startStressSuite(client, opts);
    // Each kill is recorded in the flow run that is running at the time.
    const chaosRun = session.startChaos(async () =>
      handle.query(suiteSummaryQuery).then((s) => s.flows.find((f) => f.status === 'running')?.run_id),
    );
    const links = webUiLinks(endpoints.temporalUiUrl, endpoints.namespace, handle.workflowId);
    say(
      `started the suite: ${opts.runs.map((r) => `${r.flow} ${describeLoad(r.load, r.count, r.concurrency)}`).join(', ')}`,
    );
    say(`suite id ${handle.workflowId}  ·  ${links?.parent ?? NO_WEB_UI}`);
    const progress = showSuiteProgress(client, handle);
    let result: SuiteResult;
    try {
      result = suiteResultSchema.parse(await handle.result());
    } finally {
      progress.stop();
      if (process.stderr.isTTY) process.stderr.write('\r\x1b[2K');
    }
    printSuiteResult(result, endpoints, await chaosRun?.stop(), opts.json);
    const held = await finishReports(suiteFlowReports(result), reports, endpoints, client);
    return held && result.verdict === 'passed' ? EXIT.ok : EXIT.thresholdFailed;
  });
}

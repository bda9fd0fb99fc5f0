import fs from 'node:fs';
import { endpointsFromEnv, type Endpoints } from '../config';
import type { StandardResult } from '../result/schema';
import { startStack, workerNames } from '../stack/stack';
import { temporalAnswers } from '../stack/temporal-server';
import { connectClient } from '../temporal-connection';
import { localPortOffset, resolveEndpoints } from './endpoints';
import { formatChaos } from './chaos-format';
import { withRunSession } from './stack-session';
import { CommandFailure, EXIT, UsageError } from './errors';
import { withResultsDatabase } from './results-database';
import { fetchResult, fetchSuite, storedResult, storedSuiteRuns } from './results';
import { formatSuite } from './suite-format';
import { suiteFlowReports } from './suite-command';
import { latestScheduledRun } from './schedule-commands';
import { formatProgress, formatResult, formatThresholds, NO_WEB_UI, webUiLinks } from './format';
import { awaitStressRun, startStressRun } from './run-stress';
import { describeLoad } from './load-options';
import type { StartOptions } from './start-options';
import type { StackChoice } from './stack-options';
import { checkThresholds } from '../result/thresholds';
import { thresholdOutcome } from '../report/flow-report';
import type { RunReportOptions } from './report-options';
import { finishReports } from './run-reports';
import { writeHtmlReport } from './html-output';

const say = (line: string) => process.stderr.write(`${line}\n`);

/** A breakpoint search's exit: 0 found, 99 when even the lowest rate failed, 1 when the tester was the limit. */
const BREAKPOINT_EXIT = {
  found: EXIT.ok,
  lowest_failed: EXIT.thresholdFailed,
  tester_limit: EXIT.failure,
  not_found: EXIT.failure,
  running: EXIT.failure,
} as const;

function writeJson(file: string, result: StandardResult): void {
  fs.writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  say(`result written to ${file}`);
}

/** The result as a table, its run id and (when Temporal holds it and its Web UI is known) links to it. */
function printResult(result: StandardResult, endpoints: Endpoints | undefined): void {
  const links = endpoints && webUiLinks(endpoints.temporalUiUrl, endpoints.namespace, result.run_id);
  const ui = !endpoints
    ? ''
    : links
      ? `Web UI: ${links.parent}\nflows:  ${links.children}\n`
      : `Web UI: ${NO_WEB_UI}\n`;
  const chaos = result.chaos ? `\n\n${formatChaos(result.chaos)}` : '';
  process.stdout.write(`${formatResult(result)}${chaos}\n\nrun id: ${result.run_id}\n${ui}`);
}

/** `start-workflow <flow>`: runs a stress run to the end and prints its result; returns the exit code. */
export async function startWorkflowCommand(
  opts: StartOptions,
  reports: RunReportOptions = { limits: [] },
): Promise<number> {
  const chaos = opts.chaos && { plan: opts.chaos, seed: opts.seed };
  return withRunSession(say, { what: 'run', chaos }, async (client, endpoints, session) => {
    const handle = await startStressRun(client, opts);
    const chaosRun = session.startChaos(async () => handle.workflowId);
    const links = webUiLinks(endpoints.temporalUiUrl, endpoints.namespace, handle.workflowId);
    say(
      `started ${opts.flow} ${describeLoad(opts.load, opts.count, opts.concurrency)} (faults ${opts.faultsName}, time scale ${opts.timeScale})`,
    );
    say(`run id ${handle.workflowId}  ·  ${links?.parent ?? NO_WEB_UI}`);
    const tty = process.stderr.isTTY;
    let result = await awaitStressRun(
      client,
      handle.workflowId,
      tty ? (r) => process.stderr.write(`\r\x1b[2K${formatProgress(r)}`) : undefined,
    );
    if (tty) process.stderr.write('\r\x1b[2K');
    // The session's own record is complete: kills whose targets came back after the run closed are in it too.
    if (chaosRun) result = { ...result, chaos: await chaosRun.stop() };
    printResult(result, endpoints);
    if (opts.json) writeJson(opts.json, result);
    const search = result.load?.breakpoint;
    // The search judged its thresholds step by step: its verdict is the exit code.
    if (search) return BREAKPOINT_EXIT[search.verdict];
    const checks = checkThresholds(result, opts.thresholds);
    if (checks.length) process.stdout.write(`\nthresholds:\n${formatThresholds(checks)}\n`);
    const outcomes = checks.map((c) => thresholdOutcome(c.threshold.text, c.actual, c.passed));
    const held = await finishReports(
      [{ flow: result.flow, run_id: result.run_id, result, checks: outcomes }],
      reports,
      endpoints.databaseUrl,
      client,
    );
    return held && checks.every((c) => c.passed) ? EXIT.ok : EXIT.thresholdFailed;
  });
}

/**
 * `report <run-id>` with no Temporal to ask (the stack started for the run has stopped): the stored result from
 * stress_runs, or for a suite id its flow runs' stored results.
 */
async function reportStored(endpoints: Endpoints, runId: string, reason: string, json?: string): Promise<number> {
  const found = await withResultsDatabase(endpoints, reason, say, async (pool) => {
    const run = await storedResult(pool, runId);
    return run ? [run] : await storedSuiteRuns(pool, runId);
  });
  if (!found.length) {
    say(`no run '${runId}' in stress_runs`);
    return EXIT.usage;
  }
  if (found.length > 1 || found[0].run_id !== runId) {
    say(`'${runId}' is a suite: its flow runs' stored results follow (its verdict is kept in Temporal only)`);
  }
  found.forEach((result, i) => {
    if (i) process.stdout.write('\n');
    printResult(result, undefined);
  });
  if (json) {
    fs.writeFileSync(json, JSON.stringify(found.length === 1 ? found[0] : found, null, 2) + '\n');
    say(`result written to ${json}`);
  }
  return EXIT.ok;
}

/** `report <run-id>` or `report --latest <schedule-id>`: prints (and with --json writes) a run's result. */
export async function reportCommand(
  target: { runId?: string; latest?: string },
  json?: string,
  html?: string,
): Promise<number> {
  if (!target.runId === !target.latest) throw new UsageError('give a run id, or --latest <schedule-id>');
  const { endpoints } = resolveEndpoints();
  if (!(await temporalAnswers(endpoints.temporalAddress))) {
    const reason = `no Temporal server answers at ${endpoints.temporalAddress}`;
    if (target.latest) {
      throw new CommandFailure(`${reason}, and schedules live in Temporal: start it ('npm run stack') first`);
    }
    return reportStored(endpoints, target.runId!, reason, json);
  }
  const client = await connectClient(endpoints, say);
  try {
    const runId = target.runId ?? (await latestScheduledRun(client, target.latest!));
    if (!runId) {
      say(`schedule '${target.latest}' has not run yet`);
      return EXIT.usage;
    }
    const suite = await fetchSuite(client, runId);
    if (suite) {
      process.stdout.write(`${formatSuite(suite)}\n\nsuite id: ${suite.suite_id}\n`);
      if (json) fs.writeFileSync(json, JSON.stringify(suite, null, 2) + '\n');
      if (html) await writeHtmlReport(html, suiteFlowReports(suite), client);
      return EXIT.ok;
    }
    const result = await fetchResult(client, runId, endpoints.databaseUrl);
    if (!result) {
      say(`no run '${runId}' in Temporal at ${endpoints.temporalAddress} or in stress_runs`);
      return EXIT.usage;
    }
    printResult(result, endpoints);
    if (json) writeJson(json, result);
    if (html) await writeHtmlReport(html, [{ flow: result.flow, run_id: result.run_id, result, checks: [] }], client);
    return EXIT.ok;
  } finally {
    await client.connection.close();
  }
}

/** `stack`: brings everything up, prints the addresses, and stops it all on Ctrl-C or SIGTERM. */
export async function stackCommand(
  opts: { faults: string; timeScale: number; monitoring?: boolean } & Partial<StackChoice>,
): Promise<number> {
  const started = Date.now();
  // TEMPORAL_ADDRESS names a cluster to use instead of starting the dev server; check it before starting the rest.
  const external = process.env.TEMPORAL_ADDRESS ? endpointsFromEnv() : undefined;
  if (external) await (await connectClient(external, say)).connection.close();
  const stack = await startStack({
    worker: true,
    workers: opts.workers,
    temporalServer: opts.temporalServer,
    faults: opts.faults,
    timeScale: opts.timeScale,
    portOffset: localPortOffset(),
    monitoring: opts.monitoring,
    log: say,
    temporal: external && {
      address: external.temporalAddress,
      namespace: external.namespace,
      uiUrl: external.temporalUiUrl,
    },
  });
  const e = stack.endpoints;
  process.stdout.write(
    [
      `stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      `  Temporal        ${e.temporalAddress} (namespace ${e.namespace}${opts.temporalServer === 'cluster' ? '; the official server: frontend, history, matching, worker on PostgreSQL' : ''})`,
      `  workers         ${workerNames(opts.workers ?? 1).join(', ')}`,
      `  Web UI          ${e.temporalUiUrl ?? NO_WEB_UI}`,
      `  PostgreSQL      ${e.databaseUrl}`,
      ...Object.entries(e.services).map(([name, url]) => `  ${name.padEnd(15)} ${url}`),
      ...(stack.prometheusUrl ? [`  Prometheus      ${stack.prometheusUrl} (scraping every process)`] : []),
      `  addresses in    ${stack.stackFile}`,
      `Every process is supervised: a restart prints here and is counted in ${stack.stackFile}.`,
      'Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
  // Handlers stay installed: a second Ctrl-C (or a SIGTERM to every process in the group) must not cut the stop short.
  await new Promise<void>((resolve) => {
    process.on('SIGINT', () => resolve());
    process.on('SIGTERM', () => resolve());
  });
  say('stopping the stack');
  await stack.stop();
  say('stopped');
  return EXIT.ok;
}

import { endpointsFromEnv } from '../config';
import { startStack, workerNames } from '../stack/stack';
import { connectClient } from '../temporal-connection';
import { localPortOffset } from './endpoints';
import { withRunSession } from './stack-session';
import { EXIT } from './errors';
import { formatProgress, formatThresholds, NO_WEB_UI, webUiLinks } from './format';
import { awaitStressRun, startStressRun } from './run-stress';
import { describeLoad } from './load-options';
import type { StartOptions } from './start-options';
import type { StackChoice } from './stack-options';
import { checkThresholds } from '../result/thresholds';
import { thresholdOutcome } from '../report/flow-report';
import type { RunReportOptions } from './report-options';
import { finishReports } from './run-reports';
import { printResult, say, writeJson } from './print-result';

/** A breakpoint search's exit: 0 found, 99 when even the lowest rate failed, 1 when the tester was the limit. */
const BREAKPOINT_EXIT = {
  found: EXIT.ok,
  lowest_failed: EXIT.thresholdFailed,
  tester_limit: EXIT.failure,
  not_found: EXIT.failure,
  running: EXIT.failure,
} as const;

/** `start-workflow <flow>`: runs a stress run to the end and prints its result; returns the exit code. */
export async function startWorkflowCommand(
  opts: StartOptions,
  reports: RunReportOptions = { limits: [] },
): Promise<number> {
  const chaos = opts.chaos && { plan: opts.chaos, seed: opts.seed };
  const work = { what: 'run', chaos, monitoring: opts.monitoring };
  return withRunSession(say, work, async (client, endpoints, session) => {
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
      endpoints,
      client,
    );
    return held && checks.every((c) => c.passed) ? EXIT.ok : EXIT.thresholdFailed;
  });
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
    hosts: opts.hosts,
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
      ...(opts.hosts ? [`  hosts           each part in a network namespace of its own: 'hosts' in stack.json`] : []),
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

import fs from 'node:fs';
import { endpointsFromEnv, type Endpoints } from '../config';
import type { StandardResult } from '../result/schema';
import { startStack } from '../stack/stack';
import { temporalAnswers } from '../stack/temporal-server';
import { connectClient } from '../temporal-connection';
import { resolveEndpoints } from './endpoints';
import { formatChaos } from './chaos-format';
import { withRunSession } from './stack-session';
import { EXIT, UsageError } from './errors';
import { fetchResult, fetchSuite } from './results';
import { formatSuite } from './suite-format';
import { latestScheduledRun } from './schedule-commands';
import { formatProgress, formatResult, formatThresholds, webUiLinks } from './format';
import { awaitStressRun, startStressRun } from './run-stress';
import type { StartOptions } from './start-options';
import { checkThresholds } from './thresholds';

const say = (line: string) => process.stderr.write(`${line}\n`);

function writeJson(file: string, result: StandardResult): void {
  fs.writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  say(`result written to ${file}`);
}

function printResult(result: StandardResult, endpoints: Endpoints): void {
  const links = webUiLinks(endpoints.temporalUiUrl, endpoints.namespace, result.run_id);
  const chaos = result.chaos ? `\n\n${formatChaos(result.chaos)}` : '';
  process.stdout.write(
    `${formatResult(result)}${chaos}\n\nrun id: ${result.run_id}\nWeb UI: ${links.parent}\nflows:  ${links.children}\n`,
  );
}

/** `start-workflow <flow>`: runs a stress run to the end and prints its result; returns the exit code. */
export async function startWorkflowCommand(opts: StartOptions): Promise<number> {
  const chaos = opts.chaos && { plan: opts.chaos, seed: opts.seed };
  return withRunSession(say, { what: 'run', chaos }, async (client, endpoints, session) => {
    const handle = await startStressRun(client, opts);
    const chaosRun = session.startChaos(async () => handle.workflowId);
    const links = webUiLinks(endpoints.temporalUiUrl, endpoints.namespace, handle.workflowId);
    say(
      `started ${opts.flow} ×${opts.count} at concurrency ${opts.concurrency} (faults ${opts.faultsName}, time scale ${opts.timeScale})`,
    );
    say(`run id ${handle.workflowId}  ·  ${links.parent}`);
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
    const checks = checkThresholds(result, opts.thresholds);
    if (checks.length) process.stdout.write(`\nthresholds:\n${formatThresholds(checks)}\n`);
    return checks.every((c) => c.passed) ? EXIT.ok : EXIT.thresholdFailed;
  });
}

/** `report <run-id>` or `report --latest <schedule-id>`: prints (and with --json writes) a run's result. */
export async function reportCommand(target: { runId?: string; latest?: string }, json?: string): Promise<number> {
  if (!target.runId === !target.latest) throw new UsageError('give a run id, or --latest <schedule-id>');
  const { endpoints } = resolveEndpoints();
  if (!(await temporalAnswers(endpoints.temporalAddress))) {
    throw new Error(`no Temporal server answers at ${endpoints.temporalAddress}; start one with 'npm run stack'`);
  }
  const client = await connectClient(endpoints);
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
      return EXIT.ok;
    }
    const result = await fetchResult(client, runId, endpoints.databaseUrl);
    if (!result) {
      say(`no run '${runId}' in Temporal at ${endpoints.temporalAddress} or in stress_runs`);
      return EXIT.usage;
    }
    printResult(result, endpoints);
    if (json) writeJson(json, result);
    return EXIT.ok;
  } finally {
    await client.connection.close();
  }
}

/** `stack`: brings everything up, prints the addresses, and stops it all on Ctrl-C or SIGTERM. */
export async function stackCommand(opts: { faults: string; timeScale: number }): Promise<number> {
  const started = Date.now();
  // TEMPORAL_ADDRESS names a cluster to use instead of starting the dev server.
  const external = process.env.TEMPORAL_ADDRESS ? endpointsFromEnv() : undefined;
  const stack = await startStack({
    worker: true,
    faults: opts.faults,
    timeScale: opts.timeScale,
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
      `  Temporal        ${e.temporalAddress} (namespace ${e.namespace})`,
      `  Web UI          ${e.temporalUiUrl}`,
      `  PostgreSQL      ${e.databaseUrl}`,
      ...Object.entries(e.services).map(([name, url]) => `  ${name.padEnd(15)} ${url}`),
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

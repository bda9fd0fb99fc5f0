import type { Client } from '@temporalio/client';
import fs from 'node:fs';
import type { Endpoints } from '../config';
import type { StandardResult } from '../result/schema';
import { temporalAnswers } from '../stack/temporal-server';
import { connectClient } from '../temporal-connection';
import { resolveEndpoints } from './endpoints';
import { CommandFailure, EXIT, UsageError } from './errors';
import { writeHtmlReport } from './html-output';
import { printResult, say, writeJson } from './print-result';
import { withResultsDatabase, type ResultsDatabaseRequest } from './results-database';
import { fetchResult, fetchSuite, storedRuns } from './results';
import { latestScheduledRun } from './schedule-commands';
import { suiteFlowReports } from './suite-command';
import { formatSuite } from './suite-format';

interface ReportFiles {
  json?: string;
  html?: string;
}

const flowReport = (result: StandardResult) => ({ flow: result.flow, run_id: result.run_id, result, checks: [] });

/**
 * A run's stored result from stress_runs, or for a suite id its flow runs' stored results. `missing` is the line
 * for an id found nowhere: it names every place that was asked.
 */
async function reportStored(runId: string, db: ResultsDatabaseRequest, missing: string, files: ReportFiles) {
  const found = await withResultsDatabase(db, (pool) => storedRuns(pool, runId));
  if (!found.length) {
    say(missing);
    return EXIT.usage;
  }
  if (found.length > 1 || found[0].run_id !== runId) {
    say(`'${runId}' is a suite: its flow runs' stored results follow (its verdict is kept in Temporal only)`);
  }
  found.forEach((result, i) => {
    if (i) process.stdout.write('\n');
    printResult(result, undefined);
  });
  if (files.json) writeJson(files.json, found.length === 1 ? found[0] : found);
  if (files.html) await writeHtmlReport(files.html, found.map(flowReport));
  return EXIT.ok;
}

/** The report when Temporal answers: a suite, a run it holds, or else the run's row in stress_runs. */
async function reportFromTemporal(client: Client, endpoints: Endpoints, runId: string, files: ReportFiles) {
  const suite = await fetchSuite(client, runId);
  if (suite) {
    process.stdout.write(`${formatSuite(suite)}\n\nsuite id: ${suite.suite_id}\n`);
    if (files.json) fs.writeFileSync(files.json, JSON.stringify(suite, null, 2) + '\n');
    if (files.html) await writeHtmlReport(files.html, suiteFlowReports(suite), client);
    return EXIT.ok;
  }
  const result = await fetchResult(client, runId);
  if (!result) {
    const notInTemporal = `no run '${runId}' in Temporal at ${endpoints.temporalAddress}`;
    // With no database of the stack's, saying why stress_runs is asked tells the user which one answers.
    const why = endpoints.databaseUrl ? undefined : notInTemporal;
    const db = { databaseUrl: endpoints.databaseUrl, why, say };
    return reportStored(runId, db, `${notInTemporal} or in stress_runs`, files);
  }
  printResult(result, endpoints);
  if (files.json) writeJson(files.json, result);
  if (files.html) await writeHtmlReport(files.html, [flowReport(result)], client);
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
    const why = `no Temporal server answers at ${endpoints.temporalAddress}`;
    if (target.latest) {
      throw new CommandFailure(`${why}, and schedules live in Temporal: start it ('npm run stack') first`);
    }
    // Only stress_runs is asked, and the line for a missing run says so.
    const db = { databaseUrl: endpoints.databaseUrl, why, say };
    return reportStored(target.runId!, db, `no run '${target.runId}' in stress_runs`, { json, html });
  }
  const client = await connectClient(endpoints, say);
  try {
    const runId = target.runId ?? (await latestScheduledRun(client, target.latest!));
    if (!runId) {
      say(`schedule '${target.latest}' has not run yet`);
      return EXIT.usage;
    }
    return await reportFromTemporal(client, endpoints, runId, { json, html });
  } finally {
    await client.connection.close();
  }
}

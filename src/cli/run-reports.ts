import type { Client } from '@temporalio/client';
import fs from 'node:fs';
import { regressionOutcome, type FlowReport } from '../report/flow-report';
import { junitXml } from '../report/junit';
import { compareWithBaseline } from './compare-command';
import { writeHtmlReport } from './html-output';
import type { Endpoints } from '../config';
import type { RunReportOptions } from './report-options';

const say = (line: string) => process.stderr.write(`${line}\n`);

/**
 * What start-workflow and the suite do once their runs are done: compare each flow with its baseline (adding
 * the regression limits to its checks), then write the JUnit and HTML files (linking flows to the endpoints' Web UI). Returns whether every limit held.
 */
export async function finishReports(
  flows: FlowReport[],
  opts: RunReportOptions,
  endpoints: Pick<Endpoints, 'databaseUrl' | 'temporalUiUrl' | 'namespace'>,
  client?: Client,
): Promise<boolean> {
  const { databaseUrl, temporalUiUrl, namespace } = endpoints;
  let held = true;
  if (opts.baseline) {
    for (const flow of flows) {
      if (!flow.result) continue;
      const compared = await compareWithBaseline(flow.result, opts.baseline, opts.limits, databaseUrl);
      if (!compared) continue;
      flow.comparison = compared.comparison;
      flow.checks.push(...compared.checks.map(regressionOutcome));
      held &&= compared.checks.every((c) => c.passed);
    }
  }
  if (opts.junit) {
    fs.writeFileSync(opts.junit, junitXml(flows));
    say(`JUnit report written to ${opts.junit}`);
  }
  // The run's own Web UI, also when start-workflow brought the stack up for this run alone.
  const webUi = temporalUiUrl ? { url: temporalUiUrl, namespace } : undefined;
  if (opts.html) await writeHtmlReport(opts.html, flows, client, webUi);
  return held;
}

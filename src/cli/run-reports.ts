import type { Client } from '@temporalio/client';
import fs from 'node:fs';
import { regressionOutcome, type FlowReport } from '../report/flow-report';
import { junitXml } from '../report/junit';
import { compareWithBaseline } from './compare-command';
import { writeHtmlReport } from './html-output';
import type { RunReportOptions } from './report-options';

const say = (line: string) => process.stderr.write(`${line}\n`);

/**
 * What start-workflow and the suite do once their runs are done: compare each flow with its baseline (adding
 * the regression limits to its checks), then write the JUnit and HTML files. Returns whether every limit held.
 */
export async function finishReports(
  flows: FlowReport[],
  opts: RunReportOptions,
  databaseUrl: string | undefined,
  client?: Client,
): Promise<boolean> {
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
  if (opts.html) await writeHtmlReport(opts.html, flows, client);
  return held;
}

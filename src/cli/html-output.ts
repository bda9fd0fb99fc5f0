import type { Client } from '@temporalio/client';
import fs from 'node:fs';
import { failureSamples } from '../report/failure-samples';
import type { FlowReport } from '../report/flow-report';
import { htmlReport } from '../report/html-page';

const say = (line: string) => process.stderr.write(`${line}\n`);

/** The HTML report of these flows, with the messages of their failed flows when Temporal still has them. */
export async function writeHtmlReport(file: string, flows: FlowReport[], client?: Client): Promise<void> {
  const withFailures = await Promise.all(
    flows.map(async (f) => ({
      ...f,
      failures: client && f.result?.failed ? await failureSamples(client, f.run_id).catch(() => []) : [],
    })),
  );
  const title =
    flows.length === 1 ? `${flows[0].flow} stress run ${flows[0].run_id}` : `stress suite (${flows.length} flows)`;
  fs.writeFileSync(file, htmlReport({ title, flows: withFailures }));
  say(`HTML report written to ${file}`);
}

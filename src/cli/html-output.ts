import type { Client } from '@temporalio/client';
import fs from 'node:fs';
import { failureSamples } from '../report/failure-samples';
import type { FlowReport } from '../report/flow-report';
import { htmlReport } from '../report/html-page';
import type { WebUi } from '../report/html-util';
import { resolveEndpoints } from './endpoints';

const say = (line: string) => process.stderr.write(`${line}\n`);

/** The Web UI the printed result links to (TEMPORAL_UI_URL, or the running stack's), if one is known. */
function knownWebUi(): WebUi | undefined {
  const { endpoints } = resolveEndpoints();
  return endpoints.temporalUiUrl ? { url: endpoints.temporalUiUrl, namespace: endpoints.namespace } : undefined;
}

/**
 * The HTML report of these flows, with the messages of their failed flows when Temporal still has them, and
 * their flow ids linked to `webUi` (by default the Web UI the environment or the running stack names).
 */
export async function writeHtmlReport(
  file: string,
  flows: FlowReport[],
  client?: Client,
  webUi: WebUi | undefined = knownWebUi(),
): Promise<void> {
  const withFailures = await Promise.all(
    flows.map(async (f) => ({
      ...f,
      failures: client && f.result?.failed ? await failureSamples(client, f.run_id).catch(() => []) : [],
    })),
  );
  const title =
    flows.length === 1 ? `${flows[0].flow} stress run ${flows[0].run_id}` : `stress suite (${flows.length} flows)`;
  fs.writeFileSync(file, htmlReport({ title, flows: withFailures, webUi }));
  say(`HTML report written to ${file}`);
}

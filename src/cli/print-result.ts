import fs from 'node:fs';
import type { Endpoints } from '../config';
import type { StandardResult } from '../result/schema';
import { webUiWorkflowUrl } from '../report/web-ui';
import { formatChaos } from './chaos-format';
import { formatResult, NO_WEB_UI, webUiLinks } from './format';

export const say = (line: string) => process.stderr.write(`${line}\n`);

/** Writes a result (or several) as JSON and says where. */
export function writeJson(file: string, result: unknown, what = 'result'): void {
  fs.writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  say(`${what} written to ${file}`);
}

/** The result as a table, its run id and (when Temporal holds it and its Web UI is known) links to it. */
export function printResult(result: StandardResult, endpoints: Endpoints | undefined): void {
  const links = endpoints && webUiLinks(endpoints.temporalUiUrl, endpoints.namespace, result.run_id);
  const ui = !endpoints
    ? ''
    : links
      ? `Web UI: ${links.parent}\nflows:  ${links.children}\n`
      : `Web UI: ${NO_WEB_UI}\n`;
  const chaos = result.chaos ? `\n\n${formatChaos(result.chaos)}` : '';
  const uiUrl = links && endpoints.temporalUiUrl;
  const ref = uiUrl ? (id: string) => webUiWorkflowUrl(uiUrl, endpoints.namespace, id) : undefined;
  process.stdout.write(`${formatResult(result, ref)}${chaos}\n\nrun id: ${result.run_id}\n${ui}`);
}

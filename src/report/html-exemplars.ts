import type { Exemplars, StandardResult } from '../result/schema';
import { esc, msFigure, workflowUrl, type WebUi } from './html-util';

type ExemplarSet = Exemplars['flow'];

/** What the page says where links would go when no Web UI address is known. */
export const NO_WEB_UI_NOTE = 'No Web UI address is known (set TEMPORAL_UI_URL to get links): the ids are plain text.';

function flowId(id: string, ui: WebUi | undefined): string {
  return ui ? `<a href="${esc(workflowUrl(ui, id))}">${esc(id)}</a>` : `<code>${esc(id)}</code>`;
}

function cell(set: ExemplarSet, ui: WebUi | undefined): [string, string] {
  const slowest = set.slowest.map(
    (e) => `<li>${flowId(e.workflow_id, ui)} <span>${msFigure(e.duration_ms)} ms</span></li>`,
  );
  const failed = set.failed.map(
    (e) => `<li>${flowId(e.workflow_id, ui)}${e.step ? ` at ${esc(e.step)}` : ''}: <span>${esc(e.error)}</span></li>`,
  );
  const list = (items: string[]) => (items.length ? `<ul class="ids">${items.join('')}</ul>` : '');
  return [list(slowest), list(failed)];
}

/** The flows behind the figures: per scope (the flow, then each step) its slowest and failed flows, linked. */
export function exemplarsSection(r: StandardResult, ui: WebUi | undefined): string {
  const ex = r.exemplars;
  if (!ex) return '';
  const scopes: Array<[string, ExemplarSet]> = [['flow', ex.flow]];
  const order = [...Object.keys(r.step_analysis), ...Object.keys(ex.steps)];
  for (const step of new Set(order)) if (ex.steps[step]) scopes.push([step, ex.steps[step]]);
  const rows = scopes
    .filter(([, set]) => set.slowest.length || set.failed.length)
    .map(([scope, set]) => {
      const [slowest, failed] = cell(set, ui);
      return `<tr><td data-label="scope">${esc(scope)}</td><td data-label="slowest">${slowest}</td><td data-label="failed">${failed}</td></tr>`;
    });
  if (!rows.length) return '';
  const head = `<thead><tr><th>scope</th><th>slowest (up to ${ex.k}, slowest first)</th><th>failed (up to ${ex.k})</th></tr></thead>`;
  const note = ui ? '' : `<p class="warn">${esc(NO_WEB_UI_NOTE)}</p>`;
  return `<h3>Slowest and failed flows</h3>${note}<table class="exemplars">${head}<tbody>${rows.join('')}</tbody></table>`;
}

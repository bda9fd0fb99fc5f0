import { webUiWorkflowUrl } from './web-ui';

/** Text safe inside HTML, in an element or an attribute. */
export const esc = (s: unknown) =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** JSON safe inside a script element. */
export const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

/** Figures (12, 3.5 ms, -4.0%, 1.20/s) are right-aligned; words are not. */
export const NUMERIC = /^[-+]?(\d[\d.,]*|∞)( ?(ms|%|\/s))?$/;

/**
 * A table of text cells; `classes` are the rows' classes. Each cell carries its header as `data-label`, which a
 * `cards` table shows beside the figure when a phone's width turns its rows into cards.
 */
export function table(headers: string[], rows: unknown[][], classes: string[] = [], tableClass = ''): string {
  const head = headers.map((h) => `<th>${esc(h)}</th>`).join('');
  const cell = (c: unknown, j: number) =>
    `<td${NUMERIC.test(String(c)) ? ' class="num"' : ''} data-label="${esc(headers[j] ?? '')}">${esc(c)}</td>`;
  const body = rows.map((r, i) => `<tr class="${classes[i] ?? ''}">${r.map(cell).join('')}</tr>`).join('');
  return `<table class="${tableClass}"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

/** Milliseconds as the tables show them: one decimal below 100, whole above. */
export const msFigure = (n: number) => (n < 100 ? n.toFixed(1) : n.toFixed(0));

/** Where the report links a workflow id: the Temporal Web UI of the namespace the runs ran in. */
export interface WebUi {
  url: string;
  namespace: string;
}

/** The Web UI page of one workflow. */
export function workflowUrl(ui: WebUi, workflowId: string): string {
  return webUiWorkflowUrl(ui.url, ui.namespace, workflowId);
}

import type { StandardResult } from '../result/schema';
import { esc, msFigure } from './html-util';

interface Column {
  field: string;
  group: string;
  /** The column's full name, e.g. 'service p95 ms': header text (it wraps) and the label of a phone's card. */
  label: string;
}

const GROUPS = ['outcome', 'duration', 'service (platform)', 'overhead (Temporal, worker)', 'waits', 'calls', 'other'];

const FIXED: Record<string, [string, string]> = {
  success_rate: ['outcome', 'success %'],
  executions: ['outcome', 'executions'],
  failures: ['outcome', 'failures'],
  attempts: ['calls', 'attempts'],
  retries: ['calls', 'retries'],
  unreported_attempts: ['calls', 'unreported attempts'],
};

/** Which group a step field belongs to and what its column is called. */
function columnOf(field: string): Column {
  if (FIXED[field]) return { field, group: FIXED[field][0], label: FIXED[field][1] };
  const duration = /^(avg|p\d+)_duration_ms$/.exec(field);
  if (duration) return { field, group: 'duration', label: `${duration[1]} ms` };
  const split = /^(service|overhead|wait|backoff)_(avg|p\d+)_ms$/.exec(field);
  if (split) {
    const group =
      split[1] === 'service' || split[1] === 'overhead' ? GROUPS.find((g) => g.startsWith(split[1]))! : 'waits';
    return { field, group, label: `${split[1]} ${split[2]} ms` };
  }
  return { field, group: 'other', label: field.replace(/_/g, ' ') };
}

function figure(field: string, v: unknown): string {
  if (typeof v !== 'number') return String(v ?? '');
  if (field === 'success_rate') return v.toFixed(1);
  if (field.endsWith('_ms')) return msFigure(v);
  return String(v);
}

/** Step names break after their underscores, so a long one does not widen the table. */
const stepName = (name: string) => esc(name).replace(/_/g, '_<wbr>');

/**
 * Every numeric field of the steps under grouped, wrapping headers (outcome, duration, service, overhead, waits,
 * calls): it fits 1400 px without scrolling; below 700 px each step becomes a card of labelled figures.
 */
export function stepTable(r: StandardResult): string {
  const steps = Object.entries(r.step_analysis);
  const fields = [...new Set(steps.flatMap(([, s]) => Object.keys(s)))];
  const columns = fields.map(columnOf).sort((a, b) => GROUPS.indexOf(a.group) - GROUPS.indexOf(b.group));
  const groups = GROUPS.map((g) => [g, columns.filter((c) => c.group === g).length] as const).filter(([, n]) => n);
  const groupRow = groups.map(([g, n]) => `<th colspan="${n}" class="group">${esc(g)}</th>`).join('');
  const labelRow = columns.map((c) => `<th>${esc(c.label)}</th>`).join('');
  const rows = steps.map(([name, s]) => {
    const cells = columns.map((c) => {
      const v = (s as Record<string, unknown>)[c.field];
      return `<td class="num" data-label="${esc(c.label)}">${esc(figure(c.field, v))}</td>`;
    });
    return `<tr><th scope="row" class="name">${stepName(name)}</th>${cells.join('')}</tr>`;
  });
  const head = `<thead><tr><th rowspan="2" class="name">step</th>${groupRow}</tr><tr>${labelRow}</tr></thead>`;
  return `<div class="steps"><table class="steps compact cards">${head}<tbody>${rows.join('')}</tbody></table></div>`;
}

import type { Exemplars, StandardResult } from '../result/schema';
import { ms } from './text-table';

type Lists = Exemplars['flow'];
/** How an exemplar's workflow id prints: a Web UI link when the UI is known, the bare id otherwise. */
export type WorkflowRef = (workflowId: string) => string;

const MAX_ERROR_CHARS = 80;
const short = (error: string) => {
  const line = error.split('\n')[0];
  return line.length > MAX_ERROR_CHARS ? `${line.slice(0, MAX_ERROR_CHARS - 1)}…` : line;
};

/** One line: the slowest and the failed executions of a step (or the flow), or nothing when it has none. */
function line(name: string, l: Lists, ref: WorkflowRef): string[] {
  const parts = [
    ...(l.slowest.length
      ? [`slowest ${l.slowest.map((e) => `${ref(e.workflow_id)} (${ms(e.duration_ms)})`).join(', ')}`]
      : []),
    ...(l.failed.length
      ? [
          `failed ${l.failed.map((e) => `${ref(e.workflow_id)} (${e.step ? `${e.step}: ` : ''}${short(e.error)})`).join(', ')}`,
        ]
      : []),
  ];
  return parts.length ? [`  ${name}: ${parts.join('  ·  ')}`] : [];
}

/** The exemplars under the step table: the flow's, then one line per step that has any; none without them. */
export function exemplarLines(r: StandardResult, ref: WorkflowRef = (id) => id): string[] {
  const e = r.exemplars;
  if (!e) return [];
  const lines = [...line('flow', e.flow, ref), ...Object.entries(e.steps).flatMap(([s, l]) => line(s, l, ref))];
  return lines.length
    ? ['', `the executions behind the figures (up to ${e.k} slowest and failed, by workflow id):`, ...lines]
    : [];
}

/** The failed flows a result names, in one line for a failure message; empty when it names none. */
export function failedFlowsNote(r: StandardResult | undefined): string {
  const failed = r?.exemplars?.flow.failed ?? [];
  if (!failed.length) return '';
  // Dropped starts count as failed operations but never ran: they have no workflow to name.
  const ran = r!.failed - (r!.failure_points.dropped ?? 0);
  const more = ran > failed.length ? ` and ${ran - failed.length} more` : '';
  const names = failed.map((f) => `${f.workflow_id} (${f.step ? `${f.step}: ` : ''}${short(f.error)})`).join(', ');
  return `failed flows: ${names}${more}`;
}

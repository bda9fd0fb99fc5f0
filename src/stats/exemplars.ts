import type { FlowOutcome } from '../flows/types';
import type { Exemplars } from '../result/schema';

/** How many exemplars a step (and the flow) keeps of each kind, unless the run says otherwise. */
export const DEFAULT_EXEMPLARS = 3;

export interface Exemplar {
  workflow_id: string;
  duration_ms: number;
}

export interface FailedExemplar {
  workflow_id: string;
  error: string;
  /** The step that failed (flow level only). */
  step?: string;
}

/** The slowest executions (slowest first) and the first failed ones, each list at most `k` long. */
export interface ExemplarLists {
  slowest: Exemplar[];
  failed: FailedExemplar[];
}

/** A run's exemplars, flow level and per step: bounded by `k` whatever the count, plain JSON for continue-as-new. */
export interface ExemplarState {
  k: number;
  flow: ExemplarLists;
  steps: Record<string, ExemplarLists>;
}

/** Errors are cut so a long stack trace cannot grow the carried state. */
const MAX_ERROR_CHARS = 300;

export function emptyExemplars(k = DEFAULT_EXEMPLARS): ExemplarState {
  return { k, flow: { slowest: [], failed: [] }, steps: {} };
}

const cut = (error: string) => (error.length > MAX_ERROR_CHARS ? `${error.slice(0, MAX_ERROR_CHARS - 1)}…` : error);

/** Keeps `e` among the `k` slowest, in place: slowest first, the earlier of two equal durations first. */
export function keepSlowest(list: Exemplar[], k: number, e: Exemplar): void {
  if (list.length >= k && e.duration_ms <= list[list.length - 1].duration_ms) return;
  const at = list.findIndex((x) => e.duration_ms > x.duration_ms);
  list.splice(at < 0 ? list.length : at, 0, e);
  if (list.length > k) list.length = k;
}

/** Keeps `e` if fewer than `k` failures are kept: the first failures of a run name where it began to fail. */
export function keepFailed(list: FailedExemplar[], k: number, e: FailedExemplar): void {
  if (list.length < k) list.push({ ...e, error: cut(e.error) });
}

/** Folds one flow (`workflowId`) and each of its steps into the exemplars, in place. */
export function addExemplars(state: ExemplarState, workflowId: string, outcome: FlowOutcome): void {
  const { k } = state;
  keepSlowest(state.flow.slowest, k, { workflow_id: workflowId, duration_ms: outcome.duration_ms });
  if (outcome.outcome === 'failed') {
    const step = outcome.failed_step ?? 'workflow';
    keepFailed(state.flow.failed, k, { workflow_id: workflowId, error: outcome.error ?? 'failed', step });
  }
  for (const s of outcome.steps) {
    const lists = (state.steps[s.step] ??= { slowest: [], failed: [] });
    keepSlowest(lists.slowest, k, { workflow_id: workflowId, duration_ms: s.duration_ms });
    if (s.status === 'failed') keepFailed(lists.failed, k, { workflow_id: workflowId, error: s.error ?? 'failed' });
  }
}

/** The result's `exemplars`: steps in `order` (then any others) that have any. */
export function exemplarsView(state: ExemplarState, order: readonly string[]): Exemplars {
  const names = [...order, ...Object.keys(state.steps).filter((s) => !order.includes(s))];
  const steps = names
    .filter((n) => state.steps[n] && (state.steps[n].slowest.length || state.steps[n].failed.length))
    .map((n) => [n, copy(state.steps[n])] as const);
  return { k: state.k, flow: copy(state.flow), steps: Object.fromEntries(steps) };
}

const copy = (l: ExemplarLists): ExemplarLists => ({
  slowest: l.slowest.map((e) => ({ ...e })),
  failed: l.failed.map((e) => ({ ...e })),
});

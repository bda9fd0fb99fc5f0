import { defaultPayloadConverter } from '@temporalio/common';
import type { History } from '@temporalio/common/lib/proto-utils';
import { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const EventType = temporal.api.enums.v1.EventType;

/** What a closed flow's history says about re-running it. */
export type FlowVerdict =
  /** Reset to `eventId` (a WorkflowTaskCompleted) re-runs the flow from `step` on. */
  | { kind: 'reset'; step: string; eventId: number; error?: string }
  /** The flow did not fail (completed, or ended by a business decision): nothing to re-run. */
  | { kind: 'not_failed' }
  | { kind: 'not_rerunnable'; reason: string };

const CLOSED = new Set<number>([
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
]);

/** The step an activity event belongs to: the summary the step recorder sets (the step's name). */
function stepOf(event: HistoryEvent): string | undefined {
  const summary = event.userMetadata?.summary;
  if (!summary) return undefined;
  const value: unknown = defaultPayloadConverter.fromPayload(summary);
  return typeof value === 'string' ? value : undefined;
}

/** An activity's scheduling, or a local activity's marker (quick steps run with --local-activities). */
function isStepCall(event: HistoryEvent): boolean {
  return (
    event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED ||
    event.eventType === EventType.EVENT_TYPE_MARKER_RECORDED
  );
}

/** The workflow task whose commands scheduled the step's call (a marker's is the task that recorded it). */
function taskOf(event: HistoryEvent): number {
  const id =
    event.activityTaskScheduledEventAttributes?.workflowTaskCompletedEventId ??
    event.markerRecordedEventAttributes?.workflowTaskCompletedEventId;
  return Number(id ?? 0);
}

/**
 * The WorkflowTaskCompleted event just before `step`: the task whose commands made the step's first call. A
 * reset to it keeps every event before that task (the steps that succeeded stay done) and runs the task again.
 */
export function resetPointOf(events: HistoryEvent[], step: string): number | undefined {
  const first = events.find((e) => isStepCall(e) && stepOf(e) === step);
  const task = first ? taskOf(first) : 0;
  return task > 0 ? task : undefined;
}

/** A flow that completed: its FlowOutcome says whether, and at which step, it failed. */
function fromOutcome(events: HistoryEvent[], closing: HistoryEvent): FlowVerdict {
  const payload = closing.workflowExecutionCompletedEventAttributes?.result?.payloads?.[0];
  const outcome = payload
    ? (defaultPayloadConverter.fromPayload(payload) as { outcome?: string; failed_step?: string; error?: string })
    : undefined;
  if (outcome?.outcome !== 'failed') return { kind: 'not_failed' };
  const step = outcome.failed_step;
  if (!step) return { kind: 'not_rerunnable', reason: 'its outcome names no failed step' };
  const eventId = resetPointOf(events, step);
  if (eventId === undefined) return { kind: 'not_rerunnable', reason: `no call of step ${step} in its history` };
  return { kind: 'reset', step, eventId, ...(outcome.error ? { error: outcome.error } : {}) };
}

/**
 * A flow whose workflow itself failed, timed out or was terminated: the step of its first call that never
 * completed (its step is re-run from its first call), else its last workflow task.
 */
function fromUnfinished(events: HistoryEvent[], closing: HistoryEvent): FlowVerdict {
  const completed = new Set(
    events
      .filter((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED)
      .map((e) => Number(e.activityTaskCompletedEventAttributes?.scheduledEventId)),
  );
  const open = events.find(
    (e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED && !completed.has(Number(e.eventId)),
  );
  const status = EventType[closing.eventType ?? 0].replace('EVENT_TYPE_WORKFLOW_EXECUTION_', '').toLowerCase();
  const error = `the flow's workflow ${status.replace('_', ' ')}`;
  const step = open && stepOf(open);
  const eventId = step && resetPointOf(events, step);
  if (step && eventId) return { kind: 'reset', step, eventId, error };
  const lastTask = [...events].reverse().find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
  if (!lastTask) return { kind: 'not_rerunnable', reason: `${error} before its first workflow task completed` };
  return { kind: 'reset', step: 'workflow', eventId: Number(lastTask.eventId), error };
}

/** What a flow's history (its latest run) says about re-running it, and where to reset it to. */
export function flowVerdict(history: History): FlowVerdict {
  const events = history.events ?? [];
  const closing = events.at(-1);
  if (!closing || !CLOSED.has(closing.eventType ?? 0)) return { kind: 'not_rerunnable', reason: 'still running' };
  if (closing.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED) return fromOutcome(events, closing);
  if (closing.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW) {
    return { kind: 'not_rerunnable', reason: 'it continued as new' };
  }
  return fromUnfinished(events, closing);
}

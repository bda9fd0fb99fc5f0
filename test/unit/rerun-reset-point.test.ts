/**
 * The re-run's reset point, found on real recorded histories (test/replay/histories): the WorkflowTaskCompleted
 * whose commands made the failed step's first call, so a reset keeps every step before it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { flowVerdict, resetPointOf } from '../../src/rerun/reset-point';
import { HISTORIES_DIR } from '../replay/cases';
import { historyFromJson, type History } from '../replay/history-json';

const EventType = temporal.api.enums.v1.EventType;
const load = (name: string): History =>
  historyFromJson(JSON.parse(fs.readFileSync(path.join(HISTORIES_DIR, `${name}.json`), 'utf8')));
const eventAt = (h: History, id: number) => h.events!.find((e) => Number(e.eventId) === id)!;

test('a flow whose step failed is reset to the workflow task that scheduled that step', () => {
  const history = load('flow-database-operations-step-fails');
  expect(flowVerdict(history)).toEqual({
    kind: 'reset',
    step: 'crud',
    eventId: 4,
    error: 'stub db_crud failed attempt 1',
  });
  expect(eventAt(history, 4).eventType).toBe(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
});

test('a later step: the reset point follows every earlier step’s completion and precedes the step’s call', () => {
  const history = load('flow-creative-flow');
  const events = history.events!;
  const point = resetPointOf(events, 'ctr_prediction')!;
  expect(point).toBe(16);
  expect(eventAt(history, point).eventType).toBe(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
  const kept = events.filter((e) => Number(e.eventId) < point);
  const completed = kept.filter((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED);
  // video_upload and scene_extraction completed before it; nothing of ctr_prediction is kept.
  expect(completed).toHaveLength(2);
  const scheduled = kept.filter((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED);
  expect(scheduled.map((e) => e.activityTaskScheduledEventAttributes!.activityType!.name)).toEqual([
    'video_upload',
    'scene_extraction',
  ]);
  expect(resetPointOf(events, 'no_such_step')).toBeUndefined();
});

test('a flow that completed needs no re-run', () => {
  expect(flowVerdict(load('flow-creative-flow'))).toEqual({ kind: 'not_failed' });
});

test('a local-activity step is reset to the workflow task that recorded its marker', () => {
  const events = load('flow-database-operations-local-activities').events!;
  expect(resetPointOf(events, 'jsonb')).toBe(4);
});

test('a flow still running is not re-runnable', () => {
  const events = load('flow-creative-flow').events!.slice(0, 20);
  expect(flowVerdict({ events })).toEqual({ kind: 'not_rerunnable', reason: 'still running' });
});

test('a terminated flow is reset to the step of its first call that never completed', () => {
  const events = load('flow-creative-flow').events!.slice(0, 24);
  const terminated = temporal.api.history.v1.HistoryEvent.fromObject({
    eventId: 25,
    eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
    workflowExecutionTerminatedEventAttributes: { reason: 'test' },
  });
  expect(flowVerdict({ events: [...events, terminated] })).toEqual({
    kind: 'reset',
    step: 'council_evaluation',
    eventId: 22,
    error: "the flow's workflow terminated",
  });
});

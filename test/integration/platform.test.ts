import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { TASK_QUEUE } from '../../src/config';
import { SERVICE_NAMES } from '../../src/services/catalog';
import { useTestStack } from '../support/stack';

const stack = useTestStack();

test('platform-check calls every service health endpoint as its own activity, on the real stack', async () => {
  const workflowId = `platform-check-${randomUUID()}`;
  const result = await stack.withWorker(() =>
    stack.client.workflow.execute('platformCheck', { taskQueue: TASK_QUEUE, workflowId }),
  );
  expect(result.healthy).toBe(true);
  expect(result.services.map((s: { service: string }) => s.service).sort()).toEqual([...SERVICE_NAMES].sort());
  for (const answer of result.services) {
    expect(answer.http_status).toBe(200);
    expect(answer.body).toMatchObject({ status: 'ok', service: answer.service, database: { reachable: true } });
    expect(answer.body.uptime_seconds).toBeGreaterThanOrEqual(0);
    expect(answer.url).toBe(
      `${stack.endpoints.services[answer.service as keyof typeof stack.endpoints.services]}/health`,
    );
  }
  // One activity per service, visible in history.
  const history = await stack.client.workflow.getHandle(workflowId).fetchHistory();
  const scheduled = (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes);
  expect(scheduled).toHaveLength(SERVICE_NAMES.length);
  expect(new Set(scheduled.map((e) => e.activityTaskScheduledEventAttributes!.activityType!.name))).toEqual(
    new Set(['service_health']),
  );
});

test.each(SERVICE_NAMES)('%s serves Prometheus metrics', async (name) => {
  const res = await request(`${stack.endpoints.services[name]}/metrics`);
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toContain('text/plain');
  const text = await res.body.text();
  expect(text).toContain('# TYPE http_requests_total counter');
  expect(text).toContain(`service="${name}"`);
});

test.each([
  ['drive-intel', '/videos', { source_url: 'not a url', duration_seconds: 10 }, 'source_url'],
  ['drive-intel', '/videos', { source_url: 'https://x.example/a.mp4', duration_seconds: -1 }, 'duration_seconds'],
  ['ml-service', '/predict/ctr', { video_id: 'nope' }, 'video_id'],
  ['titan-core', '/council/evaluate', { video_id: randomUUID(), predicted_ctr: 7 }, 'predicted_ctr'],
  ['video-agent', '/render-jobs', { blueprint_id: randomUUID() }, 'source_video_id'],
  [
    'meta-publisher',
    '/safe-executor/changes',
    { ad_account_id: '42', ad_set_id: 'a', change_type: 'create_ad', payload: {} },
    'ad_account_id',
  ],
] as const)('%s %s answers a bad body with 400 naming %s', async (service, path, body, field) => {
  const res = await request(`${stack.endpoints.services[service]}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify(body),
  });
  expect(res.statusCode).toBe(400);
  const answer = (await res.body.json()) as { error: string; field: string; message: string };
  expect(answer.error).toBe('bad_request');
  expect(answer.field).toBe(field);
  expect(answer.message).toContain(field);
});

test('a body that is not JSON gets a 400, not a 500', async () => {
  const res = await request(`${stack.endpoints.services['drive-intel']}/videos`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: '{"source_url": ',
  });
  expect(res.statusCode).toBe(400);
  await res.body.dump();
});

test('the gateway routes to a service and reports its circuit states', async () => {
  const res = await request(`${stack.endpoints.services.gateway}/api/drive-intel/videos/${randomUUID()}`);
  expect(res.statusCode).toBe(404);
  expect(((await res.body.json()) as { error: string }).error).toBe('not_found');
  const upstreams = await request(`${stack.endpoints.services.gateway}/gateway/upstreams`);
  const states = (await upstreams.body.json()) as Record<string, { circuit: string }>;
  expect(states['drive-intel'].circuit).toBe('closed');
});

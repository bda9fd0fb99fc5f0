import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import type { ServiceName } from '../../src/services/catalog';
import { hubspotSecret, signV3 } from '../../src/contracts/hubspot';
import { deliverHubspot } from '../support/hubspot';
import { useTestStack } from '../support/stack';

const stack = useTestStack();

const features = { scene_count: 1, has_hook: true, avg_motion: 0.5, faces: 1 };
const window = { window_start: '2026-01-01T00:00:00Z', window_end: '2026-01-01T01:00:00Z' };
const gate = { ad_set_id: 'act_200001_as0', split: {}, probability_best: 0.9, impressions: 10_000, spend: 100 };

// Bodies each service cannot serve because of what they hold: the database's refusal must come back as a 4xx that
// names the problem (and the field when it can be told), never as a 500.
// The field is `body` when the database does not say which value it refused.
const cases: Array<[string, ServiceName, string, Record<string, unknown>, number, RegExp, string]> = [
  [
    'a foreign key to a video that does not exist',
    'titan-core',
    '/council/evaluate',
    { video_id: randomUUID(), predicted_ctr: 0.02 },
    400,
    /video_id: no such row/,
    'video_id',
  ],
  [
    'a NUL character in text',
    'drive-intel',
    '/videos',
    { source_url: 'https://x.example/a\u0000.mp4', duration_seconds: 10 },
    400,
    /invalid byte sequence/,
    'body',
  ],
  [
    'a NUL character in an id',
    'ml-service',
    '/rag/winners',
    { ad_id: 'a\u0000b', ad_account_id: 'act_1', ad_set_id: 's', features, ctr: 0.03, copy_text: 'hello' },
    400,
    /invalid byte sequence/,
    'body',
  ],
  [
    'spend beyond its column',
    'ml-service',
    '/feedback/meta-insights',
    { ...window, rows: [{ ad_id: 'a', impressions: 1, clicks: 1, spend: 1e20 }] },
    400,
    /rows\.0\.spend/,
    'rows.0.spend',
  ],
  [
    'a budget beyond its column',
    'ml-service',
    '/decision-gate',
    { ...gate, current_budget: 1e20, proposed_budget: 1e20 },
    400,
    /current_budget/,
    'current_budget',
  ],
  [
    'a queued change naming a campaign that does not exist',
    'meta-publisher',
    '/safe-executor/changes',
    {
      ad_account_id: 'act_200001',
      ad_set_id: 'act_200001_as0',
      campaign_id: randomUUID(),
      change_type: 'status_update',
      payload: { status: 'PAUSED' },
    },
    400,
    /campaign_id: no campaign/,
    'campaign_id',
  ],
  [
    'an ad for an ad set that does not exist',
    'meta-publisher',
    '/v19.0/act_200001/ads',
    { name: 'x', adset_id: 'act_200001_as99', creative: {} },
    400,
    /adset_id: no ad set/,
    'adset_id',
  ],
];

test.each(cases)('%s (%s %s): %d naming the problem', async (_what, service, path, body, status, message, field) => {
  const res = await request(`${stack.endpoints.services[service]}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify(body),
  });
  const answer = (await res.body.json()) as { error: string; message: string; field?: string };
  expect({ status: res.statusCode, message: answer.message }).toEqual({
    status,
    message: expect.stringMatching(message),
  });
  expect(answer.field).toBe(field);
});

describe('signed HubSpot deliveries', () => {
  const url = () => `${stack.endpoints.services['ml-service']}/webhooks/hubspot`;
  const deal = (objectId: number, amount: string) => [
    {
      eventId: 1,
      subscriptionType: 'deal.propertyChange',
      objectId,
      occurredAt: Date.UTC(2026, 0, 1, 5),
      attemptNumber: 0,
      propertyName: 'gv_ad_id',
      propertyValue: 'act_999_as0_ad0',
    },
    {
      eventId: 2,
      subscriptionType: 'deal.propertyChange',
      objectId,
      occurredAt: Date.UTC(2026, 0, 1, 5),
      attemptNumber: 0,
      propertyName: 'amount',
      propertyValue: amount,
    },
  ];
  const send = (events: unknown, at = Date.now()) => {
    const body = JSON.stringify(events);
    const ts = String(at);
    return deliverHubspot(url(), body, signV3(hubspotSecret(), 'POST', url(), body, ts), ts);
  };
  const stored = async (objectId: number) =>
    (
      await stack.pool.query(
        `SELECT count(*)::int AS n FROM feedback_events WHERE (payload->>'objectId')::bigint = $1`,
        [objectId],
      )
    ).rows[0].n;

  test.each(['1e20', '-5', 'lots', '1000000000000'])(
    'an amount of %s is refused with 400 naming it, nothing stored',
    async (amount) => {
      const objectId = 5_000_000_000 + Math.floor(Math.random() * 1e8);
      const res = await send(deal(objectId, amount));
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ field: '1.propertyValue' });
      expect(String(res.body.message)).toMatch(/amount must be a number/);
      expect(await stored(objectId)).toBe(0);
    },
  );

  test('a delivery signed more than five minutes in the future is refused with 401, nothing stored', async () => {
    const objectId = 5_000_000_000 + Math.floor(Math.random() * 1e8);
    const res = await send(deal(objectId, '250'), Date.now() + 6 * 60_000);
    expect(res).toMatchObject({ status: 401, body: { message: 'timestamp more than five minutes in the future' } });
    expect(await stored(objectId)).toBe(0);
  });
});

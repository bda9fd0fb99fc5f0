import { request } from 'undici';
import type { z } from 'zod';
import { errorSchema } from '../../src/contracts/shared';
import {
  appUsage,
  businessUseCaseUsage,
  META_PUBLISHER_ROUTES as META,
  META_USAGE_HEADERS,
  metaError,
} from '../../src/contracts/meta-publisher';
import { TITAN_CORE_ROUTES as TITAN } from '../../src/contracts/titan-core';
import { findRoute, type RouteContract, type RouteTable } from '../../src/contracts/route';
import { creativeBatch } from '../../src/market/creatives';
import { marketFor } from '../../src/market/market';
import type { ServiceName } from '../../src/services/catalog';
import { useTestStack } from '../support/stack';

// Real answers of Meta Publisher and Titan-Core, each parsed with its route's response schema in the contract.
const stack = useTestStack();
const run = `contract-${Date.now()}`;
const called = new Set<RouteContract>();

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

async function call(service: ServiceName, method: 'GET' | 'POST', path: string, body?: unknown, key?: string) {
  const res = await request(`${stack.endpoints.services[service]}${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      'x-sim-time-scale': '0.01',
      ...(key ? { 'idempotency-key': `${run}:${key}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.statusCode, headers: res.headers, body: await res.body.json() } as Answer;
}

/** The issues of `value` against `schema` (none when it parses), with the answer for the message. */
function issues(schema: z.ZodType, value: unknown): string[] {
  const parsed = schema.safeParse(value);
  return parsed.success
    ? []
    : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message} in ${JSON.stringify(value)}`);
}

/** Calls a route and checks the answer is one of its 2xx and parses with its response schema. */
async function ok(
  service: ServiceName,
  table: RouteTable,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  key?: string,
): Promise<Answer> {
  const contract = findRoute(table, method, path);
  if (!contract) throw new Error(`${method} ${path} is in no route of ${service}'s contract`);
  called.add(contract);
  const answer = await call(service, method, path, body, key);
  expect({ path, issues: issues(contract.response, answer.body) }).toEqual({ path, issues: [] });
  expect([contract.status ?? 200].flat()).toContain(answer.status);
  return answer;
}

/** Meta's usage headers parse with the contract's schemas. */
function expectUsageHeaders(answer: Answer): void {
  const business = JSON.parse(String(answer.headers[META_USAGE_HEADERS.businessUseCase]));
  const app = JSON.parse(String(answer.headers[META_USAGE_HEADERS.app]));
  expect([...issues(businessUseCaseUsage, business), ...issues(appUsage, app)]).toEqual([]);
}

test('Meta Publisher answers what its contract says: Graph creation, updates, insights, errors, the queue', async () => {
  const account = `act_${7_000_000 + (Date.now() % 1_000_000)}`;
  const post = (path: string, body: unknown, key: string) => ok('meta-publisher', META, 'POST', path, body, key);
  const get = (path: string) => ok('meta-publisher', META, 'GET', path);

  const campaign = await post(`/v19.0/${account}/campaigns`, { name: 'c', objective: 'OUTCOME_SALES' }, 'campaign');
  expectUsageHeaders(campaign);
  const campaignId = (campaign.body as { id: string }).id;
  const adSet = await post(
    `/v19.0/${account}/adsets`,
    { name: 's', campaign_id: campaignId, daily_budget: 100 },
    'adset',
  );
  const adSetId = (adSet.body as { id: string }).id;
  const ad = await post(`/v19.0/${account}/ads`, { name: 'a', adset_id: adSetId, creative: { title: 't' } }, 'ad');
  const adId = (ad.body as { id: string }).id;
  await post(`/v19.0/${adId}`, { status: 'PAUSED' }, 'ad-status');
  await post(`/v19.0/${adSetId}`, { daily_budget: 110 }, 'budget-0');
  await get(`/sim/meta/writes/${encodeURIComponent(`${run}:budget-0`)}`);

  // Meta's own limit on budget changes per ad set per hour answers its OAuthException (code 613).
  for (let i = 1; i < 4; i++) await post(`/v19.0/${adSetId}`, { daily_budget: 110 + i }, `budget-${i}`);
  const limited = await call('meta-publisher', 'POST', `/v19.0/${adSetId}`, { daily_budget: 120 }, 'budget-4');
  expect({ status: limited.status, issues: issues(metaError, limited.body) }).toEqual({ status: 400, issues: [] });

  const seed = 5;
  const market = marketFor(seed)[0];
  expectUsageHeaders(await get(`/v19.0/${market.adSetId}/insights?level=ad&seed=${seed}&round=3`));
  const creative = creativeBatch(seed, 2)[0];
  await get(`/v19.0/${creative.accountId}/insights?level=ad&seed=${seed}&cycle=2`);

  const change = {
    ad_account_id: account,
    ad_set_id: adSetId,
    change_type: 'budget_update',
    payload: { daily_budget: 105, seed },
  };
  const queued = await post('/safe-executor/changes', change, 'change');
  const changeId = (queued.body as { change_id: string }).change_id;
  await get(`/safe-executor/changes/${changeId}`);
  await get(`/safe-executor/changes/${changeId}/audit`);

  const missing = await call('meta-publisher', 'GET', '/safe-executor/changes/00000000-0000-4000-8000-000000000000');
  expect({ status: missing.status, issues: issues(errorSchema, missing.body) }).toEqual({ status: 404, issues: [] });
  expect(Object.values(META).filter((r) => !called.has(r))).toEqual([]);
});

test('Titan-Core answers what its contract says: director, titans, Veo, evaluation', async () => {
  const post = (path: string, body: unknown, key: string) => ok('titan-core', TITAN, 'POST', path, body, key);
  const brief = { campaign_name: 'c', objective: 'traffic', audience: 'a', daily_budget: 50, duration_seconds: 15 };
  const plan = (await post('/director/battle-plans', brief, 'plan')).body as {
    blueprint_id: string;
    storyboard_video_id: string;
  };
  const votes = (await post('/council/titans/votes', { blueprint_id: plan.blueprint_id, predicted_ctr: 0.05 }, 'votes'))
    .body as { verdict: string };
  const veo = { blueprint_id: plan.blueprint_id, prompt: 'p', duration_seconds: 4 };
  if (votes.verdict === 'approved') {
    const job = (await post('/veo/jobs', veo, 'veo')).body as { veo_job_id: string };
    await ok('titan-core', TITAN, 'GET', `/veo/jobs/${job.veo_job_id}`);
  } else {
    const refused = await call('titan-core', 'POST', '/veo/jobs', veo, 'veo');
    expect({ status: refused.status, issues: issues(errorSchema, refused.body) }).toEqual({ status: 409, issues: [] });
  }
  await post('/council/evaluate', { video_id: plan.storyboard_video_id, predicted_ctr: 0.02 }, 'evaluate');
});

import { gatewayAuthHeaders } from '../../src/contracts/gateway';
import { classifyAnswer } from '../../src/services/meta-publisher/meta-client';
import { DEFAULT_HUBSPOT_SECRET, signV3, verifyV3 } from '../../src/contracts/hubspot';
import { exposureProblem } from '../../src/services/startup-checks';
import { runCommand } from '../support/spawn';

describe('services refuse to listen off loopback with the default HubSpot secret or without a Gateway API key', () => {
  const safe = { HUBSPOT_APP_SECRET: 'a-real-secret', GATEWAY_API_KEY: 'k' };
  test.each([
    ['127.0.0.1', {}, null],
    ['localhost', {}, null],
    ['[::1]', {}, null],
    ['0.0.0.0', {}, /built-in HubSpot secret/],
    ['10.1.2.3', { HUBSPOT_APP_SECRET: DEFAULT_HUBSPOT_SECRET, GATEWAY_API_KEY: 'k' }, /built-in HubSpot secret/],
    ['10.1.2.3', { HUBSPOT_APP_SECRET: 'a-real-secret' }, /without a Gateway API key/],
    ['10.1.2.3', safe, null],
  ] as const)('%s with %j', (host, env, expected) => {
    const problem = exposureProblem(host, env as NodeJS.ProcessEnv);
    if (expected === null) expect(problem).toBeNull();
    else {
      expect(problem).toMatch(expected);
      expect(problem).not.toContain('\n');
    }
  });
});

test('a HubSpot delivery signed more than five minutes ahead is refused like an old one', () => {
  const now = 1_800_000_000_000;
  const sign = (ts: number) => {
    const timestamp = String(ts);
    const req = { method: 'POST', uri: 'http://h/webhooks/hubspot', body: '[]', timestamp };
    return verifyV3('s', { ...req, signature: signV3('s', req.method, req.uri, req.body, timestamp) }, now);
  };
  expect(sign(now + 4 * 60_000)).toEqual({ ok: true });
  expect(sign(now + 6 * 60_000)).toEqual({ ok: false, reason: 'timestamp more than five minutes in the future' });
  expect(sign(now - 6 * 60_000)).toEqual({ ok: false, reason: 'timestamp older than five minutes' });
});

describe("the executor's reading of Meta's answers", () => {
  const oauth = (code: number) => JSON.stringify({ error: { type: 'OAuthException', code, message: 'm' } });
  test.each([
    [200, '{"success":true}', 'applied'],
    [400, oauth(17), 'throttled'],
    [400, oauth(613), 'throttled'],
    [400, oauth(80004), 'throttled'],
    [429, '{}', 'throttled'],
    // An expired token is no limit: the change spends an attempt.
    [400, oauth(190), 'refused'],
    [404, '{"error":"not_found"}', 'refused'],
    [503, '{}', 'unanswered'],
    [0, 'headers timeout', 'unanswered'],
    [200, 'not json', 'unanswered'],
  ] as const)('HTTP %d %s is %s', (status, body, kind) => {
    expect(classifyAnswer(status, {}, body).kind).toBe(kind);
  });
});

test('a service started on 0.0.0.0 with the default HubSpot secret exits 2 with one line saying why', async () => {
  const env = { ...process.env, SERVICE_URL_ML_SERVICE: 'http://0.0.0.0:1', HUBSPOT_APP_SECRET: '' };
  const run = await runCommand(process.execPath, ['--import', 'tsx', 'src/services/main.ts', 'ml-service'], env);
  expect(run.code).toBe(2);
  expect(run.stderr.trim().split('\n')).toEqual([
    'ml-service: refusing to listen on 0.0.0.0 with the built-in HubSpot secret: set HUBSPOT_APP_SECRET',
  ]);
});

test("the worker's Gateway calls carry GATEWAY_API_KEY, which a Gateway off loopback requires", () => {
  expect(gatewayAuthHeaders({ GATEWAY_API_KEY: 'k' })).toEqual({ 'x-api-key': 'k' });
  expect(gatewayAuthHeaders({})).toEqual({});
});

import { randomUUID } from 'node:crypto';
import { Agent, request } from 'undici';
import { BUILT_IN_PROFILES, type ServiceFaults } from '../../src/contracts/fault-profile';
import { encodeFaults, SIM_HEADERS } from '../../src/contracts/sim-headers';
import { useTestStack } from '../support/stack';

const stack = useTestStack();
const agent = new Agent({ connections: 32 });
afterAll(async () => {
  await agent.close();
});

/** Makes `n` real HTTP calls to a service under the given faults; returns how many answered 5xx. */
async function serverErrors(faults: ServiceFaults, n: number): Promise<{ errors: number; statuses: Set<number> }> {
  let errors = 0;
  const statuses = new Set<number>();
  const one = async () => {
    // A lookup of a video that does not exist: 404 when the call gets through, 503 when a fault hits.
    const res = await request(`${stack.endpoints.services['drive-intel']}/videos/${randomUUID()}`, {
      dispatcher: agent,
      headers: { [SIM_HEADERS.faults]: encodeFaults(faults), [SIM_HEADERS.timeScale]: '1' },
    });
    await res.body.dump();
    statuses.add(res.statusCode);
    if (res.statusCode >= 500) errors += 1;
  };
  for (let i = 0; i < n; i += 50) await Promise.all(Array.from({ length: Math.min(50, n - i) }, one));
  return { errors, statuses };
}

test('a profile with a 30% 5xx rate yields between 25% and 35% errors over 1000 calls', async () => {
  const faults: ServiceFaults = { ...BUILT_IN_PROFILES.none.defaults, error_rate: 0.3 };
  const { errors, statuses } = await serverErrors(faults, 1000);
  expect(errors).toBeGreaterThanOrEqual(250);
  expect(errors).toBeLessThanOrEqual(350);
  expect([...statuses].sort()).toEqual([404, 503]);
});

test('the none profile yields no errors', async () => {
  const { errors, statuses } = await serverErrors(BUILT_IN_PROFILES.none.defaults, 1000);
  expect(errors).toBe(0);
  expect([...statuses]).toEqual([404]);
});

test('429 faults carry a Retry-After header scaled to platform time', async () => {
  const faults: ServiceFaults = { ...BUILT_IN_PROFILES.none.defaults, rate_limit_rate: 1, retry_after_seconds: 30 };
  const res = await request(`${stack.endpoints.services['ml-service']}/models/ctr`, {
    headers: { [SIM_HEADERS.faults]: encodeFaults(faults), [SIM_HEADERS.timeScale]: '0.1' },
  });
  await res.body.dump();
  expect(res.statusCode).toBe(429);
  expect(res.headers['retry-after']).toBe('3');
});

test('injected latency follows the profile, in platform time', async () => {
  const faults: ServiceFaults = { ...BUILT_IN_PROFILES.none.defaults, latency: { distribution: 'fixed', ms: 2000 } };
  const started = Date.now();
  const res = await request(`${stack.endpoints.services['ml-service']}/models/ctr`, {
    headers: { [SIM_HEADERS.faults]: encodeFaults(faults), [SIM_HEADERS.timeScale]: '0.1' },
  });
  await res.body.dump();
  const elapsed = Date.now() - started;
  expect(res.statusCode).toBe(200);
  expect(elapsed).toBeGreaterThanOrEqual(195);
});

test('a timeout fault does the work but never answers', async () => {
  const faults: ServiceFaults = { ...BUILT_IN_PROFILES.none.defaults, timeout_rate: 1 };
  const key = randomUUID();
  await expect(
    request(`${stack.endpoints.services['drive-intel']}/videos`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [SIM_HEADERS.idempotencyKey]: key,
        [SIM_HEADERS.faults]: encodeFaults(faults),
      },
      body: JSON.stringify({ source_url: 'https://drive.example/t.mp4', duration_seconds: 5 }),
      headersTimeout: 1000,
    }),
  ).rejects.toThrow();
  const rows = await stack.pool.query('SELECT count(*)::int AS n FROM videos WHERE idempotency_key = $1', [key]);
  expect(rows.rows[0].n).toBe(1);
});

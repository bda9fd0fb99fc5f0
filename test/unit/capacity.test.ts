import type { FastifyInstance } from 'fastify';
import type { Pool } from 'pg';
import { Agent, request } from 'undici';
import { BUILT_IN_PROFILES, type ServiceFaults } from '../../src/contracts/fault-profile';
import type { Capacity } from '../../src/contracts/capacity';
import { CapacityGate } from '../../src/services/shared/capacity';
import { createServiceApp } from '../../src/services/shared/server';

// A real service app on a loopback port with a fake pool: the routes used here never touch the database.
const fixed100: ServiceFaults = { ...BUILT_IN_PROFILES.none.defaults, latency: { distribution: 'fixed', ms: 100 } };
const agent = new Agent({ connections: 100 });
let app: FastifyInstance;
let base: string;

async function startApp(
  capacity: Capacity | null,
  work: () => Promise<unknown> = async () => undefined,
): Promise<void> {
  app = createServiceApp(
    { name: 'ml-service', pool: {} as Pool, faults: fixed100, timeScale: 1, capacity, seed: 1 },
    (a) =>
      a.get('/work', async () => {
        await work();
        return { ok: true };
      }),
  );
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

afterEach(async () => {
  await app?.close();
});
afterAll(async () => {
  await agent.close();
});

async function burst(n: number): Promise<{ statuses: number[]; retryAfter: Set<string>; wallMs: number }> {
  const started = Date.now();
  const answers = await Promise.all(
    Array.from({ length: n }, async () => {
      const res = await request(`${base}/work`, { dispatcher: agent });
      await res.body.dump();
      return { status: res.statusCode, retryAfter: res.headers['retry-after'] };
    }),
  );
  return {
    statuses: answers.map((a) => a.status),
    retryAfter: new Set(answers.map((a) => String(a.retryAfter))),
    wallMs: Date.now() - started,
  };
}

async function stats() {
  const res = await request(`${base}/admin/capacity`, { dispatcher: agent });
  return (await res.body.json()) as { capacity: Capacity | null; peak_in_work: number; refused: number };
}

test('capacity 4 with a fixed 100 ms: 40 concurrent requests queue up and take about 1 s in total', async () => {
  await startApp({ max_in_work: 4, max_waiting: 100, overflow: '503', retry_after_seconds: 1 });
  const { statuses, wallMs } = await burst(40);
  expect(statuses.every((s) => s === 200)).toBe(true);
  // 40 requests / 4 at once × 100 ms = 1 s; a lower bound only, a busy machine can only make it slower.
  expect(wallMs).toBeGreaterThanOrEqual(800);
  expect((await stats()).peak_in_work).toBe(4);
});

test('without a capacity every request is worked on at once, as before', async () => {
  // Each request is held until all 40 are being worked on: with nothing limiting them they all get there (on a busy
  // machine the 40 connections can take longer to open than the 100 ms latency); a limit would hold them for ever.
  let entered = 0;
  let allIn: () => void = () => undefined;
  const everyone = new Promise<void>((resolve) => (allIn = resolve));
  await startApp(null, async () => {
    if (++entered === 40) allIn();
    await everyone;
  });
  const { statuses } = await burst(40);
  expect(statuses.every((s) => s === 200)).toBe(true);
  expect((await stats()).peak_in_work).toBe(40);
});

test('past work and queue, requests are refused at once with 503', async () => {
  await startApp({ max_in_work: 4, max_waiting: 2, overflow: '503', retry_after_seconds: 1 });
  const { statuses } = await burst(10);
  expect(statuses.filter((s) => s === 200)).toHaveLength(6);
  expect(statuses.filter((s) => s === 503)).toHaveLength(4);
  expect((await stats()).refused).toBe(4);
});

test('a 429 overflow carries Retry-After in platform seconds', async () => {
  await startApp({ max_in_work: 1, max_waiting: 0, overflow: '429', retry_after_seconds: 3 });
  const { statuses, retryAfter } = await burst(5);
  expect(statuses.filter((s) => s === 200)).toHaveLength(1);
  expect(statuses.filter((s) => s === 429)).toHaveLength(4);
  expect(retryAfter).toEqual(new Set(['undefined', '3']));
});

test('the admin endpoint sets the capacity of a running process and refuses a bad one with 400', async () => {
  await startApp(null);
  const set = await request(`${base}/admin/capacity`, {
    method: 'PUT',
    dispatcher: agent,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ capacity: { max_in_work: 2, max_waiting: 0 } }),
  });
  expect(set.statusCode).toBe(200);
  expect(((await set.body.json()) as { capacity: Capacity }).capacity).toEqual({
    max_in_work: 2,
    max_waiting: 0,
    overflow: '503',
    retry_after_seconds: 1,
  });
  const { statuses } = await burst(5);
  expect(statuses.filter((s) => s === 503)).toHaveLength(3);
  const bad = await request(`${base}/admin/capacity`, {
    method: 'PUT',
    dispatcher: agent,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ capacity: { max_in_work: 0, max_waiting: 1 } }),
  });
  expect(bad.statusCode).toBe(400);
  expect(((await bad.body.json()) as { field: string }).field).toBe('capacity.max_in_work');
});

test('the gate lets waiters in, in arrival order, as places are given back or the limit is lifted', async () => {
  const gate = new CapacityGate({ max_in_work: 1, max_waiting: 5, overflow: '503', retry_after_seconds: 1 });
  const order: number[] = [];
  const first = gate.admit();
  const waiting = [1, 2, 3].map((i) => gate.admit().admission.then(() => order.push(i)));
  expect(await first.admission).toBe('admitted');
  expect(gate.stats()).toMatchObject({ in_work: 1, waiting: 3 });
  gate.release();
  await waiting[0];
  expect(order).toEqual([1]);
  gate.configure(null);
  await Promise.all(waiting);
  expect(order).toEqual([1, 2, 3]);
  expect(gate.stats()).toMatchObject({ in_work: 3, waiting: 0 });
});

test('a caller that leaves the line is not let in later', async () => {
  const gate = new CapacityGate({ max_in_work: 1, max_waiting: 5, overflow: '503', retry_after_seconds: 1 });
  gate.admit();
  const left = gate.admit();
  expect(left.abandon()).toBe(true);
  gate.release();
  expect(gate.stats()).toMatchObject({ in_work: 0, waiting: 0 });
});

import type { Pool } from 'pg';
import { request } from 'undici';
import { callDraw } from '../../src/flows/draws';
import { BUILT_IN_PROFILES, type ServiceFaults } from '../../src/contracts/fault-profile';
import { createServiceApp } from '../../src/services/shared/server';
import { encodeFaults, SIM_HEADERS } from '../../src/contracts/sim-headers';

// Real service apps on loopback ports with a fake pool: the route used here never touches the database.
const half: ServiceFaults = {
  ...BUILT_IN_PROFILES.none.defaults,
  error_rate: 0.5,
  latency: { distribution: 'uniform', min_ms: 0, max_ms: 40 },
};

function app(seed: number) {
  return createServiceApp({ name: 'ml-service', pool: {} as Pool, faults: half, timeScale: 1, seed }, (a) =>
    a.get('/work', async () => ({ ok: true })),
  );
}

const draws = Array.from({ length: 40 }, (_, i) => callDraw('creative-flow', 1, i, 'ctr_prediction') + ':1:0');

/** The status each call got, by its draw (no draw: by its place), the calls sent in the given order. */
async function statuses(seed: number, order: string[], withDraw = true): Promise<Record<string, number>> {
  const a = app(seed);
  try {
    await a.listen({ host: '127.0.0.1', port: 0 });
    const address = a.server.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/work`;
    const out: Record<string, number> = {};
    for (const draw of order) {
      const res = await request(url, {
        headers: {
          [SIM_HEADERS.faults]: encodeFaults(half),
          [SIM_HEADERS.timeScale]: '0.01',
          ...(withDraw ? { [SIM_HEADERS.draw]: draw } : {}),
        },
      });
      await res.body.dump();
      out[withDraw ? draw : String(Object.keys(out).length)] = res.statusCode;
    }
    return out;
  } finally {
    await a.close();
  }
}

test('a call that names its draw gets the same fault in any order and from any process seed', async () => {
  const forward = await statuses(1, draws);
  const backward = await statuses(2, [...draws].reverse());
  expect(backward).toEqual(forward);
  // Both outcomes occur: the draw decides, it does not fix one answer.
  const counts = Object.values(forward).reduce<Record<number, number>>((m, s) => ({ ...m, [s]: (m[s] ?? 0) + 1 }), {});
  expect(Object.keys(counts).sort()).toEqual(['200', '503']);
  expect(counts[503]).toBeGreaterThan(8);
  expect(counts[503]).toBeLessThan(32);
});

test('without a draw, faults come from the process stream: two seeds disagree', async () => {
  const one = await statuses(1, draws, false);
  const two = await statuses(2, draws, false);
  expect(two).not.toEqual(one);
});

test('each flow, seed, index, step and part of a step has a draw of its own', () => {
  const base = callDraw('creative-flow', 1, 0, 'ctr_prediction');
  expect(
    new Set([
      base,
      callDraw('creative-flow', 1, 1, 'ctr_prediction'),
      callDraw('creative-flow', 2, 0, 'ctr_prediction'),
      callDraw('creative-flow', 1, 0, 'video_upload'),
      callDraw('meta-api', 1, 0, 'ctr_prediction'),
      callDraw('creative-flow', 1, 0, 'ctr_prediction', 'a'),
    ]).size,
  ).toBe(6);
});

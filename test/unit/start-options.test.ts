import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../../src/cli/errors';
import { parseStartOptions } from '../../src/cli/start-options';
import { stressRunInput } from '../../src/cli/run-stress';

test('defaults come from the flow catalog and the CLI contract', () => {
  const o = parseStartOptions('creative-flow', { faults: 'default', threshold: [] });
  expect(o).toMatchObject({ count: 50, concurrency: 10, timeScale: 0.05, faultsName: 'default', thresholds: [] });
  expect(o.faults.name).toBe('default');
});

test('values parse from strings, concurrency above count is fine', () => {
  const o = parseStartOptions('creative-flow', {
    count: '5',
    concurrency: '50',
    timeScale: '0.2',
    seed: '9',
    faults: 'chaos',
    threshold: ['success_rate>=90'],
  });
  expect(o).toMatchObject({ count: 5, concurrency: 50, timeScale: 0.2, seed: 9, faultsName: 'chaos' });
  expect(o.thresholds[0].metric).toBe('success_rate');
});

test('a JSON fault profile file is loaded and validated', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gv-opts-'));
  const file = path.join(dir, 'p.json');
  const quiet = {
    latency: { distribution: 'fixed', ms: 0 },
    error_rate: 0.3,
    timeout_rate: 0,
    rate_limit_rate: 0,
    retry_after_seconds: 1,
  };
  fs.writeFileSync(file, JSON.stringify({ name: 'mine', defaults: quiet }));
  expect(parseStartOptions('creative-flow', { faults: file }).faults.defaults.error_rate).toBe(0.3);
  fs.rmSync(dir, { recursive: true });
});

test.each([
  [undefined, {}, /unknown flow ''/],
  ['nope', {}, /unknown flow 'nope': valid flows are creative-flow/],
  ['creative-flow', { count: '0' }, /--count must be between 1/],
  ['creative-flow', { count: '1.5' }, /--count must be a whole number/],
  ['creative-flow', { concurrency: 'x' }, /--concurrency must be a whole number/],
  ['creative-flow', { timeScale: '-2' }, /--time-scale must be a positive number/],
  ['creative-flow', { timeScale: '0' }, /--time-scale must be above 0/],
  ['creative-flow', { faults: 'loud' }, /unknown fault profile 'loud'/],
  ['creative-flow', { json: '/no/such/dir/out.json' }, /--json \/no\/such\/dir\/out.json: folder/],
])('flow %s with %j is a usage error', (flow, raw, message) => {
  let error: unknown;
  try {
    parseStartOptions(flow, raw);
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(UsageError);
  expect((error as Error).message).toMatch(message);
});

test('a threshold naming a step the flow does not have is refused before the run', () => {
  expect(() => parseStartOptions('creative-flow', { threshold: ['video_renderin.p95_duration_ms<100'] })).toThrow(
    /creative-flow has no step 'video_renderin'; its steps are video_upload/,
  );
});

test('--local-activities reaches the flows through the run input, and is off unless given', () => {
  const on = parseStartOptions('creative-flow', { faults: 'default', threshold: [], localActivities: true });
  expect(on.localActivities).toBe(true);
  expect(stressRunInput(on).sim.localActivities).toBe(true);
  const off = parseStartOptions('creative-flow', { faults: 'default', threshold: [] });
  expect(off.localActivities).toBeUndefined();
  expect(stressRunInput(off).sim.localActivities).toBeUndefined();
});

import fs from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { awaitStressRun, startStressRun } from '../../src/cli/run-stress';
import { SERVICES } from '../../src/services/catalog';
import { BUILT_IN_PROFILES, type FaultProfile, type ServiceFaults } from '../../src/services/shared/fault-profile';
import { TEST_BUNDLE_FILE, TEST_PORT_OFFSET } from '../support/paths';
import { expectRowsOncePerFlow, runOptions, waitForCompleted } from '../support/runs';
import { kill, startUntil } from '../support/spawn';
import { useTestStack, testStackEnv } from '../support/stack';

const started: ChildProcess[] = [];
afterAll(async () => {
  for (const child of started) await kill(child, 'SIGTERM');
});
const stack = useTestStack();

/** The default profile's latencies without its random faults: the only failures here are the crashes. */
const slowButHealthy: FaultProfile = {
  name: 'default-latency-only',
  defaults: { ...BUILT_IN_PROFILES.default.defaults, error_rate: 0, timeout_rate: 0, rate_limit_rate: 0 },
  services: Object.fromEntries(
    Object.entries(BUILT_IN_PROFILES.default.services).map(([name, f]) => [
      name,
      { ...(f as ServiceFaults), error_rate: 0, timeout_rate: 0, rate_limit_rate: 0 },
    ]),
  ),
};

test('a worker and a service killed mid-run lose no flow: a new worker finishes the run, each row written once', async () => {
  // A Drive Intel of this test's own, so it can be killed and restarted without touching the shared stack.
  const port = SERVICES['drive-intel'].port + TEST_PORT_OFFSET + 100;
  const env = { ...testStackEnv(), SERVICE_URL_DRIVE_INTEL: `http://127.0.0.1:${port}` };
  const tsx = ['--import', 'tsx'];
  const startDriveIntel = () =>
    startUntil(process.execPath, [...tsx, 'src/services/main.ts', 'drive-intel'], env, /listening/);
  let driveIntel = await startDriveIntel();
  started.push(driveIntel);
  const workerEnv = { ...env, WORKFLOW_BUNDLE: fs.readFileSync(TEST_BUNDLE_FILE, 'utf8') };
  const worker = await startUntil(process.execPath, [...tsx, 'src/worker.ts'], workerEnv, /worker ready/);
  started.push(worker);

  const opts = runOptions({ count: 30, concurrency: 5, timeScale: 0.1, faults: slowButHealthy });
  const handle = await startStressRun(stack.client, opts);
  await waitForCompleted(stack.client, handle.workflowId, 5);

  // Crash both mid-run: flows are in flight in every step.
  await kill(worker);
  await kill(driveIntel);
  driveIntel = await startDriveIntel();
  started.push(driveIntel);

  // A fresh worker (this process's) picks the run up from history and finishes it.
  const result = await stack.withWorker(() => awaitStressRun(stack.client, handle.workflowId));
  expect(result.status).toBe('completed');
  expect(result.completed_operations).toBe(30);
  expect(result.failed).toBe(0);
  await expectRowsOncePerFlow(stack.pool, result);
});

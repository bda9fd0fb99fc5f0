import fs from 'node:fs';
import path from 'node:path';
import { awaitStressRun, startStressRun } from '../../src/cli/run-stress';
import type { StandardResult } from '../../src/result/schema';
import { BUILT_IN_PROFILES, type FaultProfile, type ServiceFaults } from '../../src/contracts/fault-profile';
import { nodeChildSpec, printed } from '../../src/stack/node-child';
import { readStackFileContent, type ChildStatus } from '../../src/stack/stack-file';
import { Supervisor } from '../../src/stack/supervisor';
import { temporalAnswers } from '../../src/stack/temporal-server';
import { TEST_BUNDLE_FILE, TEST_DATA_DIR, TEST_STACK_FILE } from '../support/paths';
import { expectRowsOncePerFlow, firstFailure, runOptions, waitForCompleted } from '../support/runs';
import { expectChangesSettled } from '../support/safe-executor';
import { connectTestStack, testStackEnv, type TestStack } from '../support/stack';

// Every test here kills a process of the shared stack (started and supervised by jest's globalSetup) and
// waits for its supervisor to bring it back; afterAll waits until the whole stack serves again.
let stack: TestStack;
let workerSupervisor: Supervisor;
const logDir = path.join(TEST_DATA_DIR, 'logs', 'crash-recovery');
const supervisorLines: string[] = [];

beforeAll(async () => {
  stack = await connectTestStack();
  // The shared stack runs no worker (tests run their own): this file's worker is supervised the same way.
  workerSupervisor = new Supervisor({ log: (l) => supervisorLines.push(l) });
  fs.mkdirSync(logDir, { recursive: true });
  await workerSupervisor.add(
    nodeChildSpec({
      name: 'worker',
      script: 'src/worker.ts',
      env: { ...testStackEnv(), WORKFLOW_BUNDLE: fs.readFileSync(TEST_BUNDLE_FILE, 'utf8') },
      logDir,
      ready: printed('worker ready'),
      timeoutMs: 180_000,
    }),
  );
});

afterAll(async () => {
  await workerSupervisor?.stop();
  await until('the whole shared stack serves again', async () => {
    const all = readStackFileContent(TEST_STACK_FILE)?.processes ?? [];
    return (
      all.length > 0 &&
      all.every((p) => p.state === 'running') &&
      (await temporalAnswers(stack.endpoints.temporalAddress))
    );
  });
  await stack.close();
});

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 240_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const stackProcess = (name: string): ChildStatus => {
  const found = readStackFileContent(TEST_STACK_FILE)?.processes.find((p) => p.name === name);
  if (!found) throw new Error(`no process ${name} in ${TEST_STACK_FILE}`);
  return found;
};

/** SIGKILLs a process of the shared stack (PostgreSQL: its postmaster) and waits until its supervisor restarted it. */
async function killAndAwaitRestart(name: string): Promise<void> {
  const before = stackProcess(name);
  process.kill(before.inner_pid ?? before.pid!, 'SIGKILL');
  await until(`${name} restarted`, () => {
    const now = stackProcess(name);
    return now.state === 'running' && now.restarts === before.restarts + 1;
  });
  expect(stackProcess(name).last_exit).toBeDefined();
}

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

/** A creative-flow run with `crash` done mid-run; every flow accounted for, rows once, the queue settled. */
async function runThrough(crash: () => Promise<void>): Promise<StandardResult> {
  const opts = runOptions({ count: 24, concurrency: 6, timeScale: 0.1, faults: slowButHealthy });
  const handle = await startStressRun(stack.client, opts);
  await waitForCompleted(stack.client, handle.workflowId, 4, 180_000);
  await crash();
  const result = await awaitStressRun(stack.client, handle.workflowId);
  expect(result.status).toBe('completed');
  expect(result.completed_operations).toBe(24);
  expect({ failed: result.failed, first: await firstFailure(stack.client, result) }).toEqual({
    failed: 0,
    first: null,
  });
  await expectRowsOncePerFlow(stack.pool, result);
  await expectChangesSettled(stack.pool, result.run_id);
  return result;
}

test('the worker and a service SIGKILLed mid-run are restarted by their supervisors; the run loses no flow', async () => {
  await runThrough(async () => {
    const worker = workerSupervisor.status()[0];
    process.kill(worker.pid!, 'SIGKILL');
    await killAndAwaitRestart('drive-intel');
    await until('worker restarted', () => workerSupervisor.status()[0].restarts === 1);
  });
  expect(workerSupervisor.status()[0]).toMatchObject({ state: 'running', restarts: 1 });
  expect(supervisorLines.some((l) => /^worker exited \(signal SIGKILL\); restart 1\/5 after/.test(l))).toBe(true);
});

test("PostgreSQL's postmaster SIGKILLed mid-run: its wrapper notices, the supervisor restarts it, no flow is lost", async () => {
  await runThrough(() => killAndAwaitRestart('postgres'));
});

test('the Temporal dev server SIGKILLed mid-run comes back on its SQLite file with the run in it, which completes', async () => {
  await runThrough(() => killAndAwaitRestart('temporal'));
});

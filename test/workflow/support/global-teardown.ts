import fs from 'node:fs';
import type { TestWorkflowEnvironment } from '@temporalio/testing';

export default async function globalTeardown(): Promise<void> {
  const started = (globalThis as { __WORKFLOW_TEST_ENV__?: { env: TestWorkflowEnvironment; dir: string } })
    .__WORKFLOW_TEST_ENV__;
  if (!started) return;
  await started.env.teardown();
  fs.rmSync(started.dir, { recursive: true, force: true });
}

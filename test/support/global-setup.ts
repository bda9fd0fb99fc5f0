import fs from 'node:fs';
import { startStack } from '../../src/stack/stack';
import { workflowBundle } from '../../src/workflow-bundle';
import { TEST_BUNDLE_FILE, TEST_DATA_DIR, TEST_PORT_OFFSET } from './paths';

/**
 * Starts one real stack (dev server, PostgreSQL, six services, Prometheus) for all integration tests, and bundles
 * workflows once.
 */
export default async function globalSetup(): Promise<void> {
  fs.rmSync(TEST_DATA_DIR, { recursive: true, force: true });
  const log = (line: string) => process.stderr.write(`[stack] ${line}\n`);
  const [stack, bundle] = await Promise.all([
    startStack({
      dataDir: TEST_DATA_DIR,
      portOffset: TEST_PORT_OFFSET,
      worker: false,
      // Prometheus scrapes every process; worker 1's port too, for the worker process the monitoring test starts.
      monitoring: { workers: 1 },
      log,
    }),
    workflowBundle(),
  ]);
  fs.writeFileSync(TEST_BUNDLE_FILE, bundle.codePath);
  (globalThis as { __TEST_STACK__?: unknown }).__TEST_STACK__ = stack;
}

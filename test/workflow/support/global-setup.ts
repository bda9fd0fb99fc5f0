import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FLOW_NAME, RUN_OUTCOME, STRESS_RUN_ID } from '../../../src/flows/search-attributes';
import { findTemporalCli } from '../../../src/stack/temporal-cli';
import { WORKFLOW_ENV_VAR, type WorkflowEnvInfo } from './env';

/**
 * One local Temporal dev server (the CLI the project already has; nothing is downloaded) and one workflow
 * bundle for every workflow test. Time-skipping needs a test server binary this machine does not have.
 */
export default async function globalSetup(): Promise<void> {
  const cli = findTemporalCli();
  if (!cli) throw new Error('no temporal CLI: run `npm run install-temporal` or set TEMPORAL_CLI_PATH');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gv-workflow-tests-'));
  const [env, { code }] = await Promise.all([
    TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: cli },
        searchAttributes: [FLOW_NAME, STRESS_RUN_ID, RUN_OUTCOME],
        extraArgs: ['--log-level', 'error'],
      },
    }),
    bundleWorkflowCode({ workflowsPath: require.resolve('./workflows'), logger: quietLogger }),
  ]);
  const bundlePath = path.join(dir, 'workflows.js');
  fs.writeFileSync(bundlePath, code);
  const info: WorkflowEnvInfo = { address: env.address, namespace: env.namespace ?? 'default', bundlePath, dir };
  // Test workers are started after globalSetup and inherit its environment.
  process.env[WORKFLOW_ENV_VAR] = JSON.stringify(info);
  (globalThis as { __WORKFLOW_TEST_ENV__?: unknown }).__WORKFLOW_TEST_ENV__ = { env, dir };
}

const noop = () => undefined;
const quietLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: console.warn, error: console.error };

import { bundleWorkflowCode } from '@temporalio/worker';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DATA_DIR, PROJECT_ROOT } from './config';

const SRC = path.join(PROJECT_ROOT, 'src');
export const WORKFLOWS_PATH = require.resolve('./workflows');

function sourceHash(): string {
  const hash = crypto.createHash('sha256');
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (file.endsWith('.ts')) hash.update(file).update(fs.readFileSync(file));
    }
  };
  walk(SRC);
  const lock = path.join(PROJECT_ROOT, 'package-lock.json');
  if (fs.existsSync(lock)) hash.update(fs.readFileSync(lock));
  return hash.digest('hex').slice(0, 16);
}

/**
 * The workflows bundle, built once per source version and cached under .data/bundles, so a warm
 * start (and every test worker) skips webpack. WORKFLOW_BUNDLE names a prebuilt file instead.
 */
export async function workflowBundle(): Promise<{ codePath: string }> {
  if (process.env.WORKFLOW_BUNDLE) return { codePath: process.env.WORKFLOW_BUNDLE };
  const dir = path.join(DATA_DIR, 'bundles');
  const codePath = path.join(dir, `workflows-${sourceHash()}.js`);
  if (fs.existsSync(codePath)) return { codePath };
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger });
  fs.mkdirSync(dir, { recursive: true });
  // Write then rename, so a concurrent reader never sees half a bundle.
  const tmp = `${codePath}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, code);
  fs.renameSync(tmp, codePath);
  return { codePath };
}

const noop = () => undefined;
const quietLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: console.warn, error: console.error };

import { Connection } from '@temporalio/client';
import fs from 'node:fs';
import path from 'node:path';
import { SEARCH_ATTRIBUTES } from '../flows/search-attributes';
import { connectionSecurity } from '../temporal-connection';
import { startProcess, waitUntilReady, type ManagedProcess } from './processes';
import { devServerTuning, temporalEnv } from './dev-server-tuning';

export interface TemporalServerOptions {
  cliPath: string;
  port: number;
  uiPort: number;
  dataDir: string;
  logDir: string;
  namespace: string;
  /** Where the server serves its Prometheus metrics (`--metrics-port`, on 127.0.0.1 like the rest). */
  metricsPort?: number;
  onSpawn?: (p: ManagedProcess) => void;
}

/**
 * Dev-server settings for one machine and one worker: activities start eagerly in the worker that
 * scheduled them, and each task queue has a single partition (no forwarding between partitions).
 */
export const DYNAMIC_CONFIG: Record<string, unknown> = {
  'system.enableActivityEagerExecution': true,
  'matching.numTaskqueueReadPartitions': 1,
  'matching.numTaskqueueWritePartitions': 1,
};

/** Whether a Temporal frontend answers at the address (a short connect, closed again). */
export async function temporalAnswers(address: string, timeoutMs = 1500): Promise<boolean> {
  // Outside the try: an unreadable certificate file is the user's to fix, not a server that is down.
  const security = connectionSecurity();
  try {
    // connect() itself asks the server for its system info, so success means the frontend answers.
    const connection = await Connection.connect({ address, connectTimeout: timeoutMs, ...security });
    await connection.close();
    return true;
  } catch {
    return false;
  }
}

/** Starts the official dev server with a persistent SQLite file (WAL) and the flows' search attributes. */
export async function startTemporalDevServer(opts: TemporalServerOptions): Promise<ManagedProcess> {
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(opts.port),
    '--ui-port',
    String(opts.uiPort),
    '--db-filename',
    path.join(opts.dataDir, 'temporal.db'),
    '--sqlite-pragma',
    'journal_mode=WAL',
    '--sqlite-pragma',
    'synchronous=NORMAL',
    '--namespace',
    opts.namespace,
    '--log-level',
    'warn',
    ...(opts.metricsPort ? ['--metrics-port', String(opts.metricsPort)] : []),
    ...SEARCH_ATTRIBUTES.flatMap((a) => ['--search-attribute', `${a.name}=${a.cliType}`]),
    ...Object.entries({ ...DYNAMIC_CONFIG, ...devServerTuning() }).flatMap(([key, value]) => [
      '--dynamic-config-value',
      `${key}=${JSON.stringify(value)}`,
    ]),
  ];
  const proc = startProcess('temporal', opts.cliPath, args, {
    env: temporalEnv(),
    logDir: opts.logDir,
    onSpawn: opts.onSpawn,
  });
  const address = `127.0.0.1:${opts.port}`;
  await waitUntilReady(proc, `the Temporal dev server (${address})`, () => temporalAnswers(address, 1000), 90_000);
  return proc;
}

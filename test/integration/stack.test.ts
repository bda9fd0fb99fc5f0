import fs from 'node:fs';
import path from 'node:path';
import { isAlive } from '../../src/proc';
import { portInUse } from '../../src/stack/ports';
import { startStack } from '../../src/stack/stack';
import { SERVICE_NAMES, SERVICES } from '../../src/services/catalog';
import { TEST_DATA_DIR, TEST_PORT_OFFSET } from '../support/paths';

/** A fresh data folder the embedded PostgreSQL's own user (when run as root) can reach. */
function tempDataDir(): string {
  const dir = fs.mkdtempSync(path.join(TEST_DATA_DIR, 'stack-'));
  fs.chmodSync(dir, 0o755);
  return dir;
}

test('a port already taken stops the start with one error naming the port and who holds it', async () => {
  const dataDir = tempDataDir();
  try {
    // The jest stack already holds the test ports.
    await expect(startStack({ dataDir, portOffset: TEST_PORT_OFFSET, log: () => undefined })).rejects.toThrow(
      new RegExp(`port ${7233 + TEST_PORT_OFFSET} \\(Temporal gRPC\\) is already in use by pid \\d+ \\(.*temporal`),
    );
    expect(fs.existsSync(path.join(dataDir, 'stack.json'))).toBe(false);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a stack starts with a worker, writes its addresses, and stops leaving no process or port behind', async () => {
  const dataDir = tempDataDir();
  const offset = TEST_PORT_OFFSET + 500;
  try {
    const stack = await startStack({ dataDir, portOffset: offset, worker: true, log: () => undefined });
    const written = JSON.parse(fs.readFileSync(path.join(dataDir, 'stack.json'), 'utf8'));
    expect(written).toMatchObject({
      temporalAddress: `127.0.0.1:${7233 + offset}`,
      temporalUiUrl: `http://127.0.0.1:${8233 + offset}`,
      databaseUrl: expect.stringContaining(`:${5433 + offset}/`),
      services: Object.fromEntries(SERVICE_NAMES.map((s) => [s, `http://127.0.0.1:${SERVICES[s].port + offset}`])),
    });
    const pids: number[] = JSON.parse(fs.readFileSync(path.join(dataDir, 'stack.pids.json'), 'utf8')).processes.map(
      (p: { pid: number }) => p.pid,
    );
    expect(pids.length).toBe(1 + 2 + SERVICE_NAMES.length + 2 + 1); // temporal, postgres (+ postmaster), services, executors, worker
    expect(pids.every(isAlive)).toBe(true);

    await stack.stop();
    expect(pids.filter(isAlive)).toEqual([]);
    for (const port of [7233, 8233, 5433, ...SERVICE_NAMES.map((s) => SERVICES[s].port)]) {
      expect({ port: port + offset, inUse: await portInUse(port + offset) }).toEqual({
        port: port + offset,
        inUse: false,
      });
    }
    expect(fs.existsSync(path.join(dataDir, 'stack.json'))).toBe(false);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stackFileSchema } from '../../src/stack/stack-file';
import { planStack } from '../../src/stack/stack-plan';
import type { StartContext } from '../../src/stack/start-context';
import { parseServerVersion, temporalRecord } from '../../src/stack/temporal-record';

const quiet = () => undefined;
let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gv-temporal-record-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A stand-in binary that prints `line` for --version, as the CLI and the server do. */
function fakeBinary(name: string, line: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `#!/bin/sh\necho '${line}'\n`, { mode: 0o755 });
  return file;
}

const context = (plan: ReturnType<typeof planStack>, extra: Partial<StartContext>) =>
  ({ ...plan, cliPath: '', ...extra }) as StartContext;

test('the version in the binaries’ own --version lines: the CLI’s embedded server, the server’s own', () => {
  expect(parseServerVersion('temporal version 1.5.1 (Server 1.29.1, UI 2.42.1)')).toBe('1.29.1');
  expect(parseServerVersion('temporal version 1.29.1\n')).toBe('1.29.1');
  expect(parseServerVersion('')).toBe('unknown');
});

test('stack.json records the cluster: kind, version, addresses, each role with its server metrics', () => {
  const plan = planStack({ temporalServer: 'cluster', portOffset: 100, dataDir: dir, worker: true, log: quiet });
  const server = fakeBinary('server', 'temporal version 1.29.1');
  const record = temporalRecord(context(plan, { serverBinaries: { server, sqlTool: '', ui: '' } }));
  expect(record).toEqual({
    kind: 'cluster',
    version: '1.29.1',
    address: '127.0.0.1:7333',
    ui_url: 'http://127.0.0.1:8333',
    roles: {
      frontend: { address: '127.0.0.1:7333', metrics_url: 'http://127.0.0.1:9502/metrics' },
      history: { address: '127.0.0.1:7334', metrics_url: 'http://127.0.0.1:9503/metrics' },
      matching: { address: '127.0.0.1:7335', metrics_url: 'http://127.0.0.1:9504/metrics' },
      worker: { address: '127.0.0.1:7339', metrics_url: 'http://127.0.0.1:9505/metrics' },
    },
  });
  const file = { temporalAddress: 'a', services: {}, temporal: record };
  expect(stackFileSchema.parse(file).temporal).toEqual(record);
});

test('the dev server is recorded with the server version its CLI embeds; a Temporal the stack did not start is not', () => {
  const plan = planStack({ portOffset: 100, dataDir: dir, log: quiet });
  const cliPath = fakeBinary('temporal', 'temporal version 1.5.1 (Server 1.29.1, UI 2.42.1)');
  expect(temporalRecord(context(plan, { cliPath }))).toEqual({
    kind: 'dev',
    version: '1.29.1',
    address: '127.0.0.1:7333',
    ui_url: 'http://127.0.0.1:8333',
  });
  const external = planStack({
    dataDir: dir,
    log: quiet,
    temporal: { address: 'elsewhere:7233', namespace: 'default' },
  });
  expect(temporalRecord(context(external, {}))).toBeUndefined();
  // Older stack files have no record and still parse.
  expect(stackFileSchema.parse({ temporalAddress: 'a', services: {} }).temporal).toBeUndefined();
});

import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { awaitFinalScrape, monitoringNote, runStackOptions } from '../../src/cli/run-monitoring';
import { parseStartOptions } from '../../src/cli/start-options';
import { parseSuiteOptions } from '../../src/cli/suite-options';
import { writeStackFile } from '../../src/stack/stack-file';
import { planStack } from '../../src/stack/stack-plan';

const quiet = () => undefined;

test('start-workflow --monitoring: the stack a run brings up runs Prometheus, scraping its worker too', () => {
  const opts = parseStartOptions('creative-flow', { faults: 'none', monitoring: true });
  expect(opts.monitoring).toBe(true);
  expect(parseSuiteOptions({ faults: 'none', monitoring: true }).monitoring).toBe(true);
  const plan = planStack({ ...runStackOptions(opts.monitoring, quiet), portOffset: 500 });
  expect(plan.metrics.prometheusUrl).toBe('http://127.0.0.1:9590');
  const processes = plan.metrics.prometheus!.targets.map((t) => t.process);
  expect(processes).toEqual(expect.arrayContaining(['temporal', 'worker', 'gateway', 'executor-1', 'stack']));
  // Without the flag: no Prometheus, as before.
  const without = parseStartOptions('creative-flow', { faults: 'none' });
  expect(without.monitoring).toBeUndefined();
  expect(
    planStack({ ...runStackOptions(without.monitoring, quiet), portOffset: 500 }).metrics.prometheus,
  ).toBeUndefined();
  expect(runStackOptions(true, quiet)).toMatchObject({ worker: true, monitoring: true });
});

test('with a Temporal already there, --monitoring is one line: the running stack’s Prometheus, or why none starts', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gv-run-monitoring-'));
  const file = path.join(dir, 'stack.json');
  const content = {
    temporalAddress: '127.0.0.1:7233',
    temporalNamespace: 'default',
    services: {},
    restarts_total: 0,
    processes: [],
  };
  try {
    writeStackFile(file, { ...content, prometheusUrl: 'http://127.0.0.1:9090' });
    expect(monitoringNote('stack', '127.0.0.1:7233', file)).toBe(
      "monitoring: the running stack's Prometheus at http://127.0.0.1:9090",
    );
    writeStackFile(file, content);
    expect(monitoringNote('stack', '127.0.0.1:7233', file)).toBe(
      "--monitoring ignored: the running stack has no Prometheus; start it with 'npm run stack -- --monitoring'",
    );
    expect(monitoringNote('env', 'temporal.example:7233', file)).toMatch(
      /^--monitoring ignored: TEMPORAL_ADDRESS names/,
    );
    expect(monitoringNote('default', '127.0.0.1:7233', file)).toMatch(
      /the Temporal at 127\.0\.0\.1:7233 is not a stack/,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("before a run's own stack stops, Prometheus scrapes every target once more (or the wait gives up)", async () => {
  // A stand-in for Prometheus's targets API: one target scraped long ago, the other scraped from the 4th request on.
  let requests = 0;
  let fresh = true;
  const server = http.createServer((req, res) => {
    requests += 1;
    const now = new Date().toISOString();
    const late = fresh && requests >= 4 ? now : '2026-01-01T00:00:00Z';
    // The first answer lists no target yet, as Prometheus does before its discovery has handed them over.
    const activeTargets = requests === 1 ? [] : [{ lastScrape: fresh ? now : late }, { lastScrape: late }];
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ status: 'success', data: { activeTargets } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    expect(await awaitFinalScrape(url, 5000)).toBe(true);
    expect(requests).toBeGreaterThanOrEqual(4);
    fresh = false;
    expect(await awaitFinalScrape(url, 600)).toBe(false);
  } finally {
    server.close();
  }
});

import { UsageError } from '../../src/cli/errors';
import { DEFAULT_SUITE_THRESHOLDS, parseSuiteOptions } from '../../src/cli/suite-options';
import { FLOW_NAMES, FLOWS } from '../../src/flows/catalog';

test('the suite runs every flow of the catalog, in order, each with its own defaults', () => {
  const o = parseSuiteOptions({});
  expect(o.runs.map((r) => r.flow)).toEqual(FLOW_NAMES);
  for (const r of o.runs) {
    expect({ flow: r.flow, count: r.count, concurrency: r.concurrency, timeScale: r.timeScale }).toEqual({
      flow: r.flow,
      ...FLOWS[r.flow].defaults,
    });
  }
  expect(o.thresholds.map((t) => t.text)).toEqual(DEFAULT_SUITE_THRESHOLDS);
});

test('--count N sets every flow, FLOW=N one flow and wins over N, in any order', () => {
  const o = parseSuiteOptions({
    count: ['meta-api=7', '3'],
    concurrency: ['2', 'creative-flow=9'],
    timeScale: '0.01',
  });
  const by = Object.fromEntries(o.runs.map((r) => [r.flow, r]));
  expect(by['meta-api']).toMatchObject({ count: 7, concurrency: 2, timeScale: 0.01 });
  expect(by['creative-flow']).toMatchObject({ count: 3, concurrency: 9 });
  expect(by['rag-search']).toMatchObject({ count: 3, concurrency: 2 });
});

test('--flows picks a subset, kept in catalog order', () => {
  const o = parseSuiteOptions({ flows: 'rag-search, creative-flow' });
  expect(o.runs.map((r) => r.flow)).toEqual(['creative-flow', 'rag-search']);
});

test.each([
  [{ flows: 'creative-flow,nope' }, /--flows creative-flow,nope: unknown flow 'nope'; valid flows are creative-flow/],
  [{ count: ['nope=3'] }, /--count nope=3: unknown flow 'nope'/],
  [{ flows: 'creative-flow', count: ['meta-api=3'] }, /--count meta-api=3: meta-api is not among --flows/],
  [{ count: ['meta-api=0'] }, /--count must be between 1 and/],
  [{ concurrency: ['x'] }, /--concurrency must be a whole number/],
  [{ faults: 'bogus' }, /unknown fault profile 'bogus'/],
  [{ threshold: ['nostep.p95_duration_ms<10'] }, /no flow of the suite has a step 'nostep'/],
  [{ flows: 'creative-flow', threshold: ['crud.failures==0'] }, /no flow of the suite has a step 'crud'/],
])('bad suite input %j is a usage error naming it', (raw, message) => {
  expect(() => parseSuiteOptions(raw)).toThrow(UsageError);
  expect(() => parseSuiteOptions(raw)).toThrow(message);
});

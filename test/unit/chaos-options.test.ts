import { parseChaos } from '../../src/cli/chaos-options';
import { UsageError } from '../../src/cli/errors';
import { parseStartOptions } from '../../src/cli/start-options';

test('kill= names targets killed in turn, every= their pace, SIGKILL by default', () => {
  expect(parseChaos('kill=ml-service,video-agent every=20s')).toEqual({
    text: 'kill=ml-service,video-agent every=20s',
    targets: ['ml-service', 'video-agent'],
    everyMs: 20_000,
    signal: 'SIGKILL',
  });
  expect(parseChaos(' random  every=1.5m signal=term ')).toMatchObject({
    targets: 'random',
    everyMs: 90_000,
    signal: 'SIGTERM',
  });
  expect(parseChaos('kill=postgres,temporal,worker,executor-2 every=1500ms').targets).toHaveLength(4);
});

test.each([
  ['kill=bogus every=5s', /unknown target 'bogus'; valid targets are gateway, .*temporal/],
  ['random', /say how often: 'every=20s'/],
  ['every=5s', /say whom to kill/],
  ['random kill=ml-service every=5s', /either random or kill=/],
  ['random every=5', /every= takes a duration/],
  ['random every=100ms', /between 1s and 60m/],
  ['random every=5s signal=HUP', /signal= must be one of SIGKILL, SIGTERM, SIGINT/],
  ['random every=5s often', /unknown part 'often'/],
])('%s is refused with one line naming the problem', (text, message) => {
  expect(() => parseChaos(text)).toThrow(UsageError);
  expect(() => parseChaos(text)).toThrow(message);
});

test('start-workflow carries the plan, and a bad one is a usage error before anything starts', () => {
  const o = parseStartOptions('creative-flow', { faults: 'default', threshold: [], chaos: 'random every=20s' });
  expect(o.chaos?.targets).toBe('random');
  expect(parseStartOptions('creative-flow', { faults: 'default', threshold: [] }).chaos).toBeUndefined();
  expect(() =>
    parseStartOptions('creative-flow', { faults: 'default', threshold: [], chaos: 'kill= every=1s' }),
  ).toThrow(/unknown target ''/);
});

test('scripted clauses: the integration run asks for two kills and a partition in one plan', () => {
  const text =
    'kill=worker-2 at=10s; kill=temporal-history at=25s; partition=worker-1,temporal-frontend at=40s for=20s';
  expect(parseChaos(text)).toEqual({
    text,
    signal: 'SIGKILL',
    actions: [
      { kind: 'kill', atMs: 10_000, target: 'worker-2', signal: 'SIGKILL' },
      { kind: 'kill', atMs: 25_000, target: 'temporal-history', signal: 'SIGKILL' },
      { kind: 'partition', atMs: 40_000, forMs: 20_000, a: 'worker-1', b: 'temporal-frontend' },
    ],
  });
});

test('a pace of kills and faults together; slow takes a rate, reset is a moment unless for= is given', () => {
  const plan = parseChaos(
    'random every=15s signal=SIGTERM; slow=worker-1,temporal-frontend at=5s for=30s rate=2mbit; reset=gateway,titan-core at=1m',
  );
  expect(plan).toMatchObject({ targets: 'random', everyMs: 15_000, signal: 'SIGTERM' });
  expect(plan.actions).toEqual([
    { kind: 'slow', atMs: 5_000, forMs: 30_000, a: 'worker-1', b: 'temporal-frontend', rate: '2mbit' },
    { kind: 'reset', atMs: 60_000, forMs: 0, a: 'gateway', b: 'titan-core' },
  ]);
  // Group names and numbered ones; kill=A,B at= kills each once.
  expect(parseChaos('kill=worker,temporal every=30s').targets).toEqual(['worker', 'temporal']);
  expect(parseChaos('kill=executor-2,worker-7 at=0s').actions).toHaveLength(2);
  expect(parseChaos('partition=postgres,temporal-history for=5s').actions?.[0]).toMatchObject({ atMs: 0 });
});

test.each([
  ['kill=worker-0 every=5s', /unknown target 'worker-0'; valid targets are .*executor-N, worker, worker-N/],
  ['kill=temporal-web every=5s', /unknown target 'temporal-web'/],
  ['kill=worker at=5s every=5s', /every= \(a pace\) or at= \(once\), not both/],
  ['kill=worker', /say how often: 'every=20s' \(or once: 'kill=NAME at=10s'\)/],
  ['random every=5s; kill=worker every=9s', /one pace of kills \(every=\) at most/],
  ['partition=worker-1 for=5s', /partition= takes two different hosts, e.g. partition=worker-1,temporal-frontend/],
  ['partition=worker-1,worker-1 for=5s', /two different hosts/],
  ['partition=worker-1,temporal for=5s', /two different hosts.*\('temporal' is none\)/],
  ['partition=worker-1,temporal-frontend', /say how long: 'partition=worker-1,temporal-frontend for=20s'/],
  ['slow=a-b,worker-1 for=5s', /\('a-b' is none\)/],
  ['slow=worker-1,postgres for=5s rate=fast', /rate= takes a rate such as 64kbit or 2mbit/],
  ['slow=worker-1,postgres for=5s rate=4kbit', /at least 8kbit/],
  ['partition=worker-1,postgres for=5s rate=1mbit', /partition= takes no rate=/],
  ['reset=worker-1,postgres every=5s', /reset= takes no every=/],
  ['kill=worker at=5s for=5s', /kill= takes no for=/],
  ['partition=worker-1,postgres for=0.5s', /for= must be between 1s and 60m/],
  ['kill=worker at=61m', /at= must be between 0s and 60m/],
  ['kill=worker at=5s at=6s', /at= given twice/],
  ['partition=worker-1,postgres for=5s kill=worker', /either random or kill= \(or one fault\) per clause/],
])('%s is refused with one line naming the problem', (text, message) => {
  expect(() => parseChaos(text)).toThrow(UsageError);
  expect(() => parseChaos(text)).toThrow(message);
});

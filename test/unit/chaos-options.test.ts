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

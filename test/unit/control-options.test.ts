import { describeChange } from '../../src/cli/control-command';
import { parseControlOptions } from '../../src/cli/control-options';
import { UsageError } from '../../src/cli/errors';

const refused = (id: unknown, action: unknown, raw = {}) => {
  try {
    parseControlOptions(id, action, raw);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('accepted');
};

test('each action parses, set with its settings as numbers', () => {
  expect(parseControlOptions('run-1', 'pause', {})).toEqual({ id: 'run-1', action: 'pause' });
  expect(parseControlOptions('run-1', 'stop', {})).toEqual({ id: 'run-1', action: 'stop' });
  expect(parseControlOptions('run-1', 'set', { rate: '2.5/s' })).toEqual({
    id: 'run-1',
    action: 'set',
    settings: { rate: 2.5 },
  });
  expect(parseControlOptions('run-1', 'set', { concurrency: '8', maxInFlight: '40' }).settings).toEqual({
    concurrency: 8,
    max_in_flight: 40,
  });
});

test('bad input is one line naming the problem', () => {
  expect(refused(undefined, undefined)).toMatch('give the run id: control <run-id> pause|resume|stop|set');
  expect(refused('run-1', undefined)).toMatch('give the action, pause, resume, stop or set');
  expect(refused('run-1', 'halt')).toMatch('give the action, pause, resume, stop or set');
  expect(refused('run-1', 'set')).toBe('set needs --rate, --concurrency or --max-in-flight');
  expect(refused('run-1', 'pause', { rate: '5' })).toMatch('pause takes no setting');
  expect(refused('run-1', 'set', { rate: '0' })).toBe('--rate must be above 0 and at most 10000');
  expect(refused('run-1', 'set', { rate: 'NaN' })).toMatch('--rate must be a positive number');
  expect(refused('run-1', 'set', { rate: '-3' })).toMatch('--rate must be a positive number');
  expect(refused('run-1', 'set', { concurrency: '2.5' })).toBe('--concurrency must be a whole number');
  expect(refused('run-1', 'set', { maxInFlight: '0' })).toBe('--max-in-flight must be between 1 and 100000');
  for (const message of [refused('', 'pause'), refused('run-1', 'set', { rate: 'x' })]) {
    expect(message).not.toContain('\n');
  }
});

test('the accepted change in one line', () => {
  const at = { at: '2026-01-01T00:00:00.000Z', offset_seconds: 12.345 };
  expect(describeChange('r', { ...at, action: 'pause' })).toBe(
    'paused r at 12.3 s: no new flows until resume; flows in flight go on',
  );
  expect(describeChange('r', { ...at, action: 'set', rate: 20, max_in_flight: 5 })).toBe(
    'set rate 20/s, max in flight 5 on r at 12.3 s',
  );
});

import { parseStackOptions } from '../../src/cli/stack-options';
import { workerNames } from '../../src/stack/stack';

test('--temporal dev|cluster and --workers N are parsed; anything else is one line naming the flag', () => {
  expect(parseStackOptions({ temporal: 'cluster', workers: '2' }, {})).toEqual({
    temporalServer: 'cluster',
    workers: 2,
  });
  expect(parseStackOptions({ temporal: 'dev', workers: '1' }, {})).toEqual({ temporalServer: 'dev', workers: 1 });
  expect(() => parseStackOptions({ temporal: 'prod', workers: '1' }, {})).toThrow(
    "--temporal must be one of dev, cluster, not 'prod'",
  );
  expect(() => parseStackOptions({ temporal: 'dev', workers: 'two' }, {})).toThrow('--workers must be a whole number');
  expect(() => parseStackOptions({ temporal: 'dev', workers: '0' }, {})).toThrow('--workers must be between 1 and 16');
});

test('a cluster of our own and TEMPORAL_ADDRESS exclude each other', () => {
  expect(() => parseStackOptions({ temporal: 'cluster', workers: '1' }, { TEMPORAL_ADDRESS: 'x:7233' })).toThrow(
    /TEMPORAL_ADDRESS=x:7233 names one to use: give one or the other/,
  );
});

test('one worker keeps the name chaos and stack.json readers know; more are numbered', () => {
  expect(workerNames(1)).toEqual(['worker']);
  expect(workerNames(3)).toEqual(['worker-1', 'worker-2', 'worker-3']);
});

test('--hosts needs --temporal cluster and its own PostgreSQL, each refusal one line', () => {
  expect(() => parseStackOptions({ temporal: 'dev', workers: '1', hosts: true }, {})).toThrow(
    '--hosts gives each part of the official cluster a host of its own: add --temporal cluster',
  );
  expect(() =>
    parseStackOptions({ temporal: 'cluster', workers: '1', hosts: true }, { DATABASE_URL: 'postgres://x/y' }),
  ).toThrow('--hosts starts a PostgreSQL on a host of its own, but DATABASE_URL names one: unset it');
});

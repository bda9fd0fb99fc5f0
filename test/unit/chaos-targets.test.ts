import { checkChaosTargets, parseChaos } from '../../src/cli/chaos-options';
import { formatChaos } from '../../src/cli/chaos-format';
import { UsageError } from '../../src/cli/errors';
import { isTargetName, targetMatches } from '../../src/stack/chaos/targets';
import type { ChildStatus } from '../../src/stack/stack-file';

const running = (...names: string[]): ChildStatus[] => names.map((name) => ({ name, state: 'running', restarts: 0 }));
const cluster = running(
  'postgres',
  'temporal-frontend',
  'temporal-history',
  'temporal-matching',
  'temporal-worker',
  'temporal-ui',
  'worker-1',
  'worker-2',
);
const hosts = {
  'worker-1': { netns: 'gv-worker-1', ip: '10.0.0.9' },
  'temporal-frontend': { netns: 'gv-f', ip: '10.0.0.3' },
};

test('a group name matches its members: worker every worker, temporal the dev server or any server role', () => {
  expect(['worker', 'worker-1', 'worker-12', 'executor-3', 'temporal-matching', 'ml-service'].every(isTargetName)).toBe(
    true,
  );
  expect(['worker-0', 'workers', 'temporal-web', 'executor', ''].some(isTargetName)).toBe(false);
  expect(targetMatches('worker', 'worker')).toBe(true);
  expect(targetMatches('worker', 'worker-2')).toBe(true);
  expect(targetMatches('worker-2', 'worker-1')).toBe(false);
  expect(targetMatches('temporal', 'temporal')).toBe(true);
  expect(targetMatches('temporal', 'temporal-history')).toBe(true);
  // The Web UI server is not the server: `temporal` never picks it.
  expect(targetMatches('temporal', 'temporal-ui')).toBe(false);
  expect(targetMatches('temporal-history', 'temporal-frontend')).toBe(false);
});

test('a plan is checked against the running stack: what it names must be there', () => {
  const plan = parseChaos(
    'kill=worker-2 at=10s; kill=temporal-history at=25s; partition=worker-1,temporal-frontend at=40s for=20s',
  );
  expect(() => checkChaosTargets(plan, cluster, hosts)).not.toThrow();
  expect(() => checkChaosTargets(parseChaos('kill=worker,temporal every=20s'), cluster, undefined)).not.toThrow();
  expect(() =>
    checkChaosTargets(parseChaos('kill=temporal every=20s'), running('temporal', 'worker'), undefined),
  ).not.toThrow();
});

test.each([
  [
    'kill=worker-3 every=20s',
    cluster,
    hosts,
    /^--chaos: kill=worker-3 names no process of the running stack \(it has postgres, temporal-frontend, .*worker-2\)$/,
  ],
  ['kill=worker-1 at=5s', running('temporal', 'worker'), undefined, /kill=worker-1 names no process/],
  [
    'kill=temporal-history at=5s',
    running('temporal', 'worker'),
    undefined,
    /kill=temporal-history names no process of the running stack \(it has temporal, worker\)/,
  ],
  [
    'partition=worker-1,temporal-frontend for=5s',
    cluster,
    undefined,
    /network faults need a stack whose parts have hosts of their own \('npm run stack -- --temporal cluster --hosts'\)/,
  ],
  [
    'slow=worker-2,temporal-frontend for=5s',
    cluster,
    hosts,
    /no host 'worker-2' in the running stack \(it has worker-1, temporal-frontend\)/,
  ],
])('%s on a stack that lacks it: one line, a usage error', (text, processes, h, message) => {
  const plan = parseChaos(text);
  expect(() => checkChaosTargets(plan, processes, h)).toThrow(UsageError);
  expect(() => checkChaosTargets(plan, processes, h)).toThrow(message);
});

test('the printed record has one line per fault, with its end and heal', () => {
  const text = formatChaos({
    spec: 'partition=worker-1,temporal-frontend at=40s for=20s',
    seed: 7,
    kills: [],
    faults: [
      {
        id: 1,
        kind: 'partition',
        a: 'worker-1',
        b: 'temporal-frontend',
        at: '2026-12-06T04:00:00.000Z',
        offset_seconds: 40,
        end_offset_seconds: 60.1,
        detail: 'no packets either way',
        healed_after_ms: 1500,
      },
      { id: 2, kind: 'slow', a: 'gateway', b: 'titan-core', at: '', offset_seconds: 61, end_offset_seconds: null },
    ],
  });
  expect(text.split('\n')).toEqual([
    'chaos: partition=worker-1,temporal-frontend at=40s for=20s (seed 7): 0 kills; 2 network faults',
    expect.stringMatching(
      /^ +\+ +40\.0 s {2}partition +worker-1 <-> temporal-frontend +to \+60\.1 s, healed 1\.5 s after \(no packets either way\)$/,
    ),
    expect.stringMatching(/^ +\+ +61\.0 s {2}slow +gateway <-> titan-core +still in force, not healed$/),
  ]);
});

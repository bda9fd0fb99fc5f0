import { spawnSync } from 'node:child_process';
import { hostParts, hostsRecord, planHostNetwork } from '../../src/stack/hosts/host-plan';
import { inNetns } from '../../src/stack/hosts/netns-exec';
import { hostsPrerequisiteMissing } from '../../src/stack/hosts/preflight';
import { planStack, portsToClaim } from '../../src/stack/stack-plan';

const parts = hostParts(['executor-1', 'executor-2'], ['worker-1', 'worker-2']);

test('every part of the cluster gets a host: PostgreSQL, four roles, the UI, six services, executors, workers', () => {
  expect(parts).toEqual([
    'postgres',
    'temporal-frontend',
    'temporal-history',
    'temporal-matching',
    'temporal-worker',
    'temporal-ui',
    'gateway',
    'drive-intel',
    'video-agent',
    'meta-publisher',
    'ml-service',
    'titan-core',
    'executor-1',
    'executor-2',
    'worker-1',
    'worker-2',
  ]);
});

test('the subnet and names follow the port offset, so a test stack and a developer stack never share one', () => {
  const dev = planHostNetwork(0, parts);
  const test = planHostNetwork(10_300, parts);
  expect(dev).toMatchObject({ prefix: 'gv-', bridge: 'gv-br', bridgeIp: '10.77.0.1', subnet: '10.77.0.0/24' });
  expect(test).toMatchObject({ prefix: 'gv103-', bridge: 'gv103-br', subnet: '10.77.103.0/24' });
  expect(test.parts['worker-2']).toEqual({ netns: 'gv103-worker-2', ip: '10.77.103.17', veth: 'gv103-v17' });
  const ips = Object.values(test.parts).map((h) => h.ip);
  expect(new Set(ips).size).toBe(parts.length);
  // Interface names have at most 15 characters (IFNAMSIZ - 1).
  for (const h of Object.values(planHostNetwork(25_500, parts).parts)) expect(h.veth.length).toBeLessThanOrEqual(15);
  expect(hostsRecord(test).postgres).toEqual({ netns: 'gv103-postgres', ip: '10.77.103.2' });
});

test("a part's command runs under `ip netns exec`, which execs it in the same process", () => {
  expect(inNetns('gv-worker-1', 'node', ['a.js'])).toEqual(['ip', ['netns', 'exec', 'gv-worker-1', 'node', 'a.js']]);
  expect(inNetns(undefined, 'node', ['a.js'])).toEqual(['node', ['a.js']]);
});

test('with hosts every address is a part host, and the stack claims no port of the root namespace but its own', () => {
  const plan = planStack({ hosts: true, temporalServer: 'cluster', portOffset: 10_300, worker: true, workers: 2 });
  expect(plan.endpoints.temporalAddress).toBe('10.77.103.3:17533');
  expect(plan.endpoints.temporalUiUrl).toBe('http://10.77.103.7:18533');
  expect(Object.values(plan.endpoints.services).every((u) => u.startsWith('http://10.77.103.'))).toBe(true);
  expect(portsToClaim(plan)).toEqual([{ port: plan.metrics.stackPort, what: "the stack's metrics" }]);
  expect(() => planStack({ hosts: true, portOffset: 10_300 })).toThrow(/only a stack that starts the cluster/);
});

test('without root or ip, --hosts names what is missing in one line', () => {
  const missing = hostsPrerequisiteMissing();
  const root = process.getuid?.() === 0;
  const ip = !spawnSync('ip', ['-V']).error;
  if (root && ip) expect(missing).toBeNull();
  else expect(missing).toMatch(/^--hosts needs (root|iproute2's 'ip')/);
});

test('with hosts and monitoring, Prometheus scrapes every role, service, executor and worker at its own host', () => {
  const plan = planStack({
    hosts: true,
    temporalServer: 'cluster',
    portOffset: 10_300,
    worker: true,
    workers: 2,
    monitoring: true,
  });
  const host = (part: string) => plan.network!.parts[part].ip;
  const targets = Object.fromEntries(plan.metrics.prometheus!.targets.map((t) => [t.process, t.address]));
  expect(targets).toMatchObject({
    'temporal-frontend': `${host('temporal-frontend')}:19702`,
    'temporal-history': `${host('temporal-history')}:19703`,
    'temporal-matching': `${host('temporal-matching')}:19704`,
    'temporal-worker': `${host('temporal-worker')}:19705`,
    gateway: `${host('gateway')}:18300`,
    'executor-2': `${host('executor-2')}:19712`,
    'worker-1': `${host('worker-1')}:19721`,
    'worker-2': `${host('worker-2')}:19722`,
    // The stack process and Prometheus run in the root namespace, which reaches every host over the bridge.
    stack: '127.0.0.1:19700',
    prometheus: '127.0.0.1:19390',
  });
  const onLoopback = plan.metrics.prometheus!.targets.filter((t) => t.address.startsWith('127.'));
  expect(onLoopback.map((t) => t.process)).toEqual(['stack', 'prometheus']);
  expect(plan.metrics.urls['temporal-history']).toBe(`http://${host('temporal-history')}:19703/metrics`);
  // Only the root namespace's own ports are checked free: the stack's metrics and Prometheus.
  expect(portsToClaim(plan).map((p) => p.what)).toEqual(["the stack's metrics", 'Prometheus']);
});

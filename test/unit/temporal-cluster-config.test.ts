import { parse as parseYaml } from 'yaml';
import { METRICS_PORTS } from '../../src/stack/metrics-ports';
import {
  CLUSTER_ROLES,
  clusterConfig,
  clusterPorts,
  dynamicConfigFile,
  roleMetricsEnv,
  roleMetricsPort,
  uiServerConfig,
} from '../../src/stack/temporal-cluster-config';

const url = 'postgres://postgres:se%2Fcret@127.0.0.1:5433/geminivideo';

test('the cluster config puts both stores in PostgreSQL, with several history shards and a port set per role', () => {
  // JSON under one comment line: YAML, as the server reads it.
  const config = parseYaml(clusterConfig({ databaseUrl: url, portOffset: 100, dynamicConfigPath: '/tmp/dc.yaml' }));
  expect(config.persistence.numHistoryShards).toBeGreaterThan(1);
  for (const [store, database] of [
    ['postgres-default', 'temporal'],
    ['postgres-visibility', 'temporal_visibility'],
  ]) {
    expect(config.persistence.datastores[store].sql).toMatchObject({
      pluginName: 'postgres12',
      databaseName: database,
      connectAddr: '127.0.0.1:5433',
      user: 'postgres',
      password: 'se/cret',
    });
  }
  expect(Object.keys(config.services).sort()).toEqual([...CLUSTER_ROLES].sort());
  const ports = CLUSTER_ROLES.flatMap((r) => [config.services[r].rpc.grpcPort, config.services[r].rpc.membershipPort]);
  expect(new Set(ports).size).toBe(ports.length);
  expect(config.services.frontend.rpc.grpcPort).toBe(7333);
  expect(config.clusterMetadata.clusterInformation.active.rpcAddress).toBe('127.0.0.1:7333');
  expect(clusterPorts(100).frontend.grpc).toBe(7333);
  expect(config.dynamicConfigClient.filepath).toBe('/tmp/dc.yaml');
});

test('one history shard, or not a PostgreSQL url, is refused', () => {
  expect(() => clusterConfig({ databaseUrl: url, historyShards: 1, dynamicConfigPath: 'x' })).toThrow(/above 1/);
  expect(() => clusterConfig({ databaseUrl: 'mysql://a@b/c', dynamicConfigPath: 'x' })).toThrow(/not a PostgreSQL url/);
});

test('dynamic config values are written in the server format: a list of constrained values per key', () => {
  expect(JSON.parse(dynamicConfigFile({ 'system.enableActivityEagerExecution': true }))).toEqual({
    'system.enableActivityEagerExecution': [{ value: true }],
  });
});

test("the Web UI server's config points at the cluster's frontend and serves the UI on the stack's UI port", () => {
  const ui = JSON.parse(uiServerConfig({ temporalAddress: '127.0.0.1:7333', port: 8333, namespace: 'default' }));
  expect(ui).toMatchObject({
    temporalGrpcAddress: '127.0.0.1:7333',
    port: 8333,
    enableUi: true,
    defaultNamespace: 'default',
  });
});

test("each role serves its own server metrics: the shared config's template reads the role's PROMETHEUS_ENDPOINT", () => {
  const text = clusterConfig({ databaseUrl: url, portOffset: 100, dynamicConfigPath: '/tmp/dc.yaml' });
  // The server renders a file as a Go template only when a comment line in its first 1 KB says `enable-template`.
  expect(text.split('\n')[0]).toMatch(/^# enable-template\b/);
  const prometheus = parseYaml(text).global.metrics.prometheus;
  expect(prometheus).toEqual({
    listenAddress: '{{ env `PROMETHEUS_ENDPOINT` | default `127.0.0.1:0` }}',
    handlerPath: '/metrics',
  });
  // No other template action: the rest of the file is read as written.
  expect(text.match(/\{\{/g)).toHaveLength(1);
  const addresses = CLUSTER_ROLES.map((r) => roleMetricsEnv(r, 100).PROMETHEUS_ENDPOINT);
  expect(addresses).toEqual(['127.0.0.1:9502', '127.0.0.1:9503', '127.0.0.1:9504', '127.0.0.1:9505']);
  expect(roleMetricsEnv('history', 0, '10.77.0.4')).toEqual({ PROMETHEUS_ENDPOINT: '10.77.0.4:9403' });
  // Clear of every other port of the stack's metrics scheme and of the roles' own gRPC and membership ports.
  const metricsPorts = CLUSTER_ROLES.map((r) => roleMetricsPort(r));
  const others = [METRICS_PORTS.stack, METRICS_PORTS.temporal, METRICS_PORTS.executor + 1, METRICS_PORTS.worker + 1];
  const rolePorts = CLUSTER_ROLES.flatMap((r) => [clusterPorts()[r].grpc, clusterPorts()[r].membership]);
  expect(new Set([...metricsPorts, ...others, ...rolePorts]).size).toBe(
    metricsPorts.length + others.length + rolePorts.length,
  );
  expect(Math.max(...metricsPorts)).toBeLessThan(METRICS_PORTS.executor);
});

test("a '{{' in a value is refused: the server would read it as a template action", () => {
  expect(() => clusterConfig({ databaseUrl: 'postgres://u:a{{b@h:5432/d', dynamicConfigPath: 'x' })).toThrow(
    /template: '\{\{' in the database url/,
  );
});

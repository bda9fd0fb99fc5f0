import {
  CLUSTER_ROLES,
  clusterConfig,
  clusterPorts,
  dynamicConfigFile,
  uiServerConfig,
} from '../../src/stack/temporal-cluster-config';

const url = 'postgres://postgres:se%2Fcret@127.0.0.1:5433/geminivideo';

test('the cluster config puts both stores in PostgreSQL, with several history shards and a port set per role', () => {
  const config = JSON.parse(clusterConfig({ databaseUrl: url, portOffset: 100, dynamicConfigPath: '/tmp/dc.yaml' }));
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

import type { Connection } from '@temporalio/client';
import { request } from 'undici';
import { SEARCH_ATTRIBUTES } from '../../src/flows/search-attributes';
import { waitUntilReady } from '../../src/stack/processes';
import { CLUSTER_ROLES } from '../../src/stack/temporal-cluster-config';

/**
 * The official server as the cluster tests expect it: its stores on PostgreSQL, the pinned version, 4 history
 * shards, and the project's search attributes registered through the operator API, as on any existing cluster.
 */
export async function expectOfficialServer(connection: Connection): Promise<void> {
  const info = await connection.workflowService.getClusterInfo({});
  expect(info).toMatchObject({
    persistenceStore: 'postgres12',
    visibilityStore: 'postgres12',
    serverVersion: '1.29.1',
  });
  expect(info.historyShardCount).toBe(4);
  const listed = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
  for (const a of SEARCH_ATTRIBUTES) expect(listed.customAttributes?.[a.name]).toBeDefined();
}

/** One series of a Prometheus instant query's answer. */
export interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

/** An instant query to the Prometheus at `prometheusUrl`. */
export async function promQueryAt(prometheusUrl: string, promql: string): Promise<Sample[]> {
  const res = await request(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await res.body.json()) as { status: string; data: { result: Sample[] }; error?: string };
  if (body.status !== 'success') throw new Error(`Prometheus ${promql}: ${body.error}`);
  return body.data.result;
}

/** The workflow ids the Web UI server at `uiUrl` lists for a run, polled until visibility has caught up. */
export async function listedByUiAt(uiUrl: string, runId: string, expected: number): Promise<string[]> {
  const query = encodeURIComponent(`StressRunId="${runId}"`);
  const url = `${uiUrl}/api/v1/namespaces/default/workflows?query=${query}&pageSize=100`;
  let ids: string[] = [];
  await waitUntilReady(
    undefined,
    `the Web UI listing ${expected} workflows of ${runId}`,
    async () => {
      const res = await request(url);
      const body = (await res.body.json()) as { executions?: Array<{ execution: { workflowId: string } }> };
      if (res.statusCode !== 200) throw new Error(`${url}: HTTP ${res.statusCode} ${JSON.stringify(body)}`);
      ids = (body.executions ?? []).map((e) => e.execution.workflowId);
      return ids.length >= expected;
    },
    30_000,
  );
  return ids;
}

/** Each role process reports its own role's server-side latency (the four would be one process otherwise). */
export async function expectRolesReportOwnLatency(prometheusUrl: string): Promise<void> {
  const served = await promQueryAt(
    prometheusUrl,
    'count by (process, service_name) ({__name__=~"service_latency_count|persistence_latency_count", job="temporal"})',
  );
  for (const role of CLUSTER_ROLES) {
    const names = served.filter((r) => r.metric.process === `temporal-${role}`).map((r) => r.metric.service_name);
    expect({ role, own: names.includes(role) }).toEqual({ role, own: true });
  }
}

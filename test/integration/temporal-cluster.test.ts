import { Connection } from '@temporalio/client';
import fs from 'node:fs';
import path from 'node:path';
import { SEARCH_ATTRIBUTES } from '../../src/flows/search-attributes';
import { isAlive } from '../../src/proc';
import { startTemporalCluster } from '../../src/stack/temporal-cluster';
import { CLUSTER_ROLES } from '../../src/stack/temporal-cluster-config';
import { findServerBinaries, type ServerBinaries } from '../../src/stack/temporal-server-binary';
import type { ManagedProcess } from '../../src/stack/processes';
import { TEST_DATA_DIR, TEST_PORT_OFFSET } from '../support/paths';
import { testEndpoints } from '../support/stack';

/**
 * The official multi-role server on the test stack's PostgreSQL (its own two databases there). Tests never
 * build it: this runs when the pinned binaries are in `.temporal/bin` (or named by TEMPORAL_SERVER_PATH and
 * TEMPORAL_SQL_TOOL_PATH), and is skipped, saying so, when they are not.
 */
const binaries = findServerBinaries();
const ready = Boolean(binaries.server && binaries.sqlTool);
if (!ready) console.warn('temporal-cluster tests skipped: the pinned Temporal server and sql tool are not built');

(ready ? test : test.skip)(
  'the cluster starts as four processes on PostgreSQL with several shards, and its namespace has the attributes',
  async () => {
    const dataDir = fs.mkdtempSync(path.join(TEST_DATA_DIR, 'cluster-'));
    const processes: ManagedProcess[] = [];
    try {
      const lines: string[] = [];
      const cluster = await startTemporalCluster({
        binaries: binaries as ServerBinaries,
        databaseUrl: testEndpoints().databaseUrl!,
        dataDir,
        logDir: path.join(dataDir, 'logs'),
        namespace: 'default',
        portOffset: TEST_PORT_OFFSET + 200,
        onSpawn: (p) => processes.push(p),
        log: (l) => lines.push(l),
      });
      expect(processes.map((p) => p.name)).toEqual(CLUSTER_ROLES.map((r) => `temporal-${r}`));
      expect(processes.every((p) => isAlive(p.child.pid!))).toBe(true);
      expect(lines).toContain(
        `registered search attributes ${SEARCH_ATTRIBUTES.map((a) => a.name).join(', ')} in namespace 'default' at ${cluster.address}`,
      );

      const connection = await Connection.connect({ address: cluster.address });
      try {
        const info = await connection.workflowService.getClusterInfo({});
        expect(info).toMatchObject({ persistenceStore: 'postgres12', visibilityStore: 'postgres12' });
        expect(info.historyShardCount).toBeGreaterThan(1);
        expect(info.serverVersion).toBe('1.29.1');
        const listed = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
        expect(Object.keys(listed.customAttributes ?? {})).toEqual(
          expect.arrayContaining(SEARCH_ATTRIBUTES.map((a) => a.name)),
        );
      } finally {
        await connection.close();
      }
    } finally {
      for (const p of processes.reverse()) await p.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  },
  300_000,
);

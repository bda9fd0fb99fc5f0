import { spawnSync } from 'node:child_process';
import type { StackFile } from './stack-file';
import type { StartContext } from './start-context';
import { CLUSTER_ROLES, clusterPorts } from './temporal-cluster-config';

const versions = new Map<string, string>();

/**
 * The server version a binary reports: the CLI prints `temporal version 1.5.1 (Server 1.29.1, UI 2.42.1)`, the
 * server `temporal version 1.29.1`. Read from the binary in use (TEMPORAL_CLI_PATH or TEMPORAL_SERVER_PATH may
 * name another than the pinned one), once per binary.
 */
export function serverVersionOf(binary: string): string {
  const known = versions.get(binary);
  if (known) return known;
  const out = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 20_000 }).stdout ?? '';
  const version = parseServerVersion(out);
  versions.set(binary, version);
  return version;
}

/** The server's version in a `--version` line (the CLI's embedded server, or the server's own); else 'unknown'. */
export function parseServerVersion(text: string): string {
  return /\bServer v?(\d[\w.+-]*)/.exec(text)?.[1] ?? /\bversion v?(\d[\w.+-]*)/.exec(text)?.[1] ?? 'unknown';
}

/** stack.json's `temporal`: which Temporal the stack started, its version and addresses; none it did not start. */
export function temporalRecord(ctx: StartContext): StackFile['temporal'] {
  const { endpoints } = ctx;
  if (ctx.opts.temporal || !endpoints.temporalUiUrl) return undefined;
  const base = { address: endpoints.temporalAddress, ui_url: endpoints.temporalUiUrl };
  if (!ctx.cluster) return { kind: 'dev', version: ctx.cliPath ? serverVersionOf(ctx.cliPath) : 'unknown', ...base };
  const ports = clusterPorts(ctx.offset);
  const host = endpoints.temporalAddress.replace(/:\d+$/, '');
  const roles = Object.fromEntries(
    CLUSTER_ROLES.map((r) => [
      r,
      { address: `${host}:${ports[r].grpc}`, metrics_url: ctx.metrics.urls[`temporal-${r}`] },
    ]),
  );
  const server = ctx.serverBinaries?.server;
  return { kind: 'cluster', version: server ? serverVersionOf(server) : 'unknown', ...base, roles };
}

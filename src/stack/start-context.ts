import fs from 'node:fs';
import path from 'node:path';
import { hostsRecord } from './hosts/host-plan';
import { removeHostNetwork } from './hosts/network';
import { PidRegistry } from './orphans';
import { assertPortsFree } from './ports';
import { portsToClaim, stackFilePath, type StackPlan } from './stack-plan';
import { writeStackFile, type StackFile } from './stack-file';
import { Supervisor } from './supervisor';
import { ensureTemporalCli } from './temporal-cli';
import { ensureServerBinaries, type ServerBinaries } from './temporal-server-binary';
import { temporalRecord } from './temporal-record';

/** What the start steps share: the plan, the supervisor they add children to, and what they started besides. */
export interface StartContext extends StackPlan {
  /** The Temporal CLI for the dev server ('' when the stack runs no dev server). */
  cliPath: string;
  serverBinaries?: ServerBinaries;
  pids: PidRegistry;
  supervisor: Supervisor;
  stackFile: string;
  startedAt: string;
  /** Set once every step is done: from then on each change of a child rewrites stack.json. */
  ready: boolean;
  stackMetrics?: { close(): Promise<void> };
  /** With --hosts: what every part's environment adds (the secrets a service off loopback needs). */
  hostsEnv?: Record<string, string>;
}

/** stack.json as it stands: the addresses clients use and the supervised processes. */
export function stackFileContent(ctx: StartContext): StackFile {
  const { endpoints, metrics, supervisor } = ctx;
  return {
    temporalAddress: endpoints.temporalAddress,
    temporalNamespace: endpoints.namespace,
    temporalUiUrl: endpoints.temporalUiUrl,
    databaseUrl: endpoints.databaseUrl,
    temporal: temporalRecord(ctx),
    services: endpoints.services,
    prometheusUrl: metrics.prometheusUrl,
    // On hosts the plan's urls are at each part's own address already.
    metrics: metrics.urls,
    hosts: ctx.network && hostsRecord(ctx.network),
    pid: process.pid,
    startedAt: ctx.startedAt,
    restarts_total: supervisor.restarts,
    processes: supervisor.status(),
  };
}

/**
 * Everything before the first process starts: the binaries, the processes a killed stack left behind, free
 * ports, fresh logs and the supervisor. A failure here has started nothing, so it has nothing to stop (nor
 * does it clear the pid file, which may be another running stack's).
 */
export async function prepareStart(plan: StackPlan): Promise<StartContext> {
  const { opts, log, dataDir, logDir } = plan;
  const cliPath = opts.temporal || plan.cluster ? '' : ensureTemporalCli(log);
  const serverBinaries = plan.cluster ? ensureServerBinaries(log) : undefined;
  fs.mkdirSync(dataDir, { recursive: true });
  const pids = new PidRegistry(dataDir);
  const reaped = await pids.reapOrphans();
  if (reaped) log(`stopped ${reaped} processes left running by a stack that did not shut down`);
  await assertPortsFree(portsToClaim(plan));

  // Each start of a stack begins its logs afresh; within it, a restarted child appends to its own.
  fs.rmSync(logDir, { recursive: true, force: true });
  fs.mkdirSync(logDir, { recursive: true });
  const ctx: StartContext = {
    ...plan,
    cliPath,
    serverBinaries,
    pids,
    stackFile: stackFilePath(dataDir),
    ready: false,
    supervisor: new Supervisor({
      log: (line) => log(`[supervisor] ${line}`),
      logFile: path.join(logDir, 'supervisor.log'),
      onSpawn: (p) => pids.add(p.child.pid),
      onChange: () => ctx.ready && writeStackFile(ctx.stackFile, stackFileContent(ctx)),
    }),
    startedAt: new Date().toISOString(),
  };
  return ctx;
}

/**
 * Stops every child (no restarts from here on), the stack's metrics server, removes the pid file and stack.json,
 * and with --hosts every namespace and link the stack made, once nothing runs in them.
 */
export async function stopStack(ctx: StartContext): Promise<void> {
  ctx.ready = false;
  await ctx.supervisor.stop();
  await ctx.stackMetrics?.close();
  if (ctx.network) {
    await removeHostNetwork(ctx.network).catch((err: Error) => ctx.log(`could not remove the hosts: ${err.message}`));
  }
  ctx.pids.clear();
  fs.rmSync(ctx.stackFile, { force: true });
}

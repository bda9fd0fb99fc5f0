import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { ControlChange } from '../result/schema';
import { temporalAnswers } from '../stack/temporal-server';
import { connectClient } from '../temporal-connection';
import { suiteSummaryQuery } from '../workflows/definitions';
import { pauseUpdate, resumeUpdate, setUpdate, stopUpdate } from '../workflows/stress-run/control';
import type { ControlRequest } from './control-options';
import { resolveEndpoints } from './endpoints';
import { CommandFailure, EXIT, UsageError } from './errors';
import { say } from './print-result';
import { describeIfAny, isWorkflowNotFound } from './results';
import { latestScheduledRun } from './schedule-commands';

/** The stress run an id reaches, and how (a suite's running flow, a schedule's latest run). */
interface Target {
  workflowId: string;
  via?: string;
}

/** A suite reaches the flow it runs now. */
async function suiteTarget(client: Client, id: string): Promise<Target> {
  const suite = await client.workflow.getHandle(id).query(suiteSummaryQuery);
  const running = suite.flows.find((f) => f.status === 'running');
  if (!running) throw new UsageError(`suite '${id}' has no flow running now: nothing to control`);
  return { workflowId: running.run_id, via: `suite ${id}'s running flow ${running.flow}` };
}

/** The running stress run `id` names: itself, a suite's running flow, or a schedule's latest run. */
async function resolveTarget(client: Client, id: string, address: string): Promise<Target> {
  const description = await describeIfAny(client, id);
  if (!description) {
    // Not a workflow: perhaps a schedule, whose runs have ids of their own.
    const latest = await latestScheduledRun(client, id).catch((e: unknown) => {
      if (e instanceof UsageError) throw new UsageError(`no run, suite or schedule '${id}' in Temporal at ${address}`);
      throw e;
    });
    if (!latest) throw new UsageError(`schedule '${id}' has not started a run yet: nothing to control`);
    const target = await resolveTarget(client, latest, address);
    return { ...target, via: `schedule ${id}'s latest run` };
  }
  const status = description.status.name;
  if (status !== 'RUNNING') throw new UsageError(`'${id}' has ${status.toLowerCase()}: nothing to control`);
  if (description.type === 'stressSuite') return suiteTarget(client, id);
  if (description.type !== 'stressRun') throw new UsageError(`'${id}' is a ${description.type}, not a stress run`);
  return { workflowId: id };
}

/** Sends the update; the workflow's validator refusing it is bad input, and the run is as it was. */
async function send(client: Client, workflowId: string, req: ControlRequest): Promise<ControlChange> {
  const handle = client.workflow.getHandle(workflowId);
  try {
    if (req.action === 'set') return await handle.executeUpdate(setUpdate, { args: [req.settings!] });
    const update = { pause: pauseUpdate, resume: resumeUpdate, stop: stopUpdate }[req.action];
    return await handle.executeUpdate(update);
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) {
      throw new UsageError(`${workflowId} refused ${req.action}: ${err.cause?.message ?? err.message}`);
    }
    if (isWorkflowNotFound(err)) throw new UsageError(`'${workflowId}' has ended: nothing to control`);
    throw err;
  }
}

/** The accepted change in words. */
export function describeChange(workflowId: string, c: ControlChange): string {
  const at = `at ${c.offset_seconds.toFixed(1)} s`;
  if (c.action === 'pause') return `paused ${workflowId} ${at}: no new flows until resume; flows in flight go on`;
  if (c.action === 'resume') return `resumed ${workflowId} ${at}`;
  if (c.action === 'stop') return `stopped ${workflowId} ${at}: flows in flight finish, then its result completes`;
  const parts = [
    c.rate !== undefined && `rate ${c.rate}/s`,
    c.concurrency !== undefined && `concurrency ${c.concurrency}`,
    c.max_in_flight !== undefined && `max in flight ${c.max_in_flight}`,
  ].filter(Boolean);
  return `set ${parts.join(', ')} on ${workflowId} ${at}`;
}

/** `control <id> pause|resume|stop|set`: one update to a running run, one line saying what it accepted. */
export async function controlCommand(req: ControlRequest): Promise<number> {
  const { endpoints, source } = resolveEndpoints();
  if (source !== 'env' && !(await temporalAnswers(endpoints.temporalAddress))) {
    throw new CommandFailure(`no Temporal server answers at ${endpoints.temporalAddress}: no run to control there`);
  }
  const client = await connectClient(endpoints, say);
  try {
    const target = await resolveTarget(client, req.id, endpoints.temporalAddress);
    const change = await send(client, target.workflowId, req);
    process.stdout.write(`${describeChange(target.workflowId, change)}${target.via ? ` (${target.via})` : ''}\n`);
    return EXIT.ok;
  } finally {
    await client.connection.close();
  }
}

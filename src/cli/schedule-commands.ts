import { ScheduleNotFoundError, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { TASK_QUEUE } from '../config';
import { FLOW_NAME } from '../flows/search-attributes';
import type { StressRunInput } from '../workflows/stress-run';
import { connectClient } from '../temporal-connection';
import { resolveEndpoints } from './endpoints';
import { CommandFailure, EXIT, UsageError } from './errors';
import { describeLoad } from './load-options';
import { runMemo, stressRunInput } from './run-stress';
import type { ScheduleCreateOptions } from './schedule-options';
import { fetchResult } from './results';
import { temporalAnswers } from '../stack/temporal-server';

const out = (line: string) => process.stdout.write(`${line}\n`);

const say = (line: string) => process.stderr.write(`${line}\n`);

/** Schedules live in Temporal: each command connects to it (never starting one) and says plainly when it can't. */
async function withClient<T>(fn: (client: Client, databaseUrl?: string) => Promise<T>): Promise<T> {
  const { endpoints, source } = resolveEndpoints();
  // A TEMPORAL_ADDRESS gets connectClient's own diagnosis (TLS, credentials); the local stack a hint to start it.
  if (source !== 'env' && !(await temporalAnswers(endpoints.temporalAddress))) {
    throw new CommandFailure(
      `no Temporal server answers at ${endpoints.temporalAddress}, and schedules live in Temporal: ` +
        `start the stack ('npm run stack') first`,
    );
  }
  const client = await connectClient(endpoints, say);
  try {
    return await fn(client, endpoints.databaseUrl);
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) throw new UsageError(`no schedule '${err.scheduleId}'`);
    throw err;
  } finally {
    await client.connection.close();
  }
}

/** Each action starts the same stress-run parent as the command line, under an id the schedule makes unique. */
export async function scheduleCreate(opts: ScheduleCreateOptions): Promise<number> {
  return withClient(async (client) => {
    try {
      await client.schedule.getHandle(opts.id).describe();
      throw new UsageError(`schedule '${opts.id}' already exists: delete it first or pick another --id`);
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
    }
    await client.schedule.create({
      scheduleId: opts.id,
      spec: opts.every ? { intervals: [{ every: opts.every as '1h' }] } : { cronExpressions: [opts.cron!] },
      action: {
        type: 'startWorkflow',
        workflowType: 'stressRun',
        workflowId: opts.id,
        taskQueue: TASK_QUEUE,
        args: [stressRunInput(opts.run)],
        typedSearchAttributes: [{ key: FLOW_NAME, value: opts.run.flow }],
        memo: {
          ...runMemo(opts.run),
          schedule: opts.id,
          spec: opts.every ? `every ${opts.every}` : `cron '${opts.cron}'`,
        },
      },
      policies: { overlap: opts.overlap },
      state: { note: `created by geminivideo-sim for ${opts.run.flow}` },
    });
    out(
      `created schedule ${opts.id}: ${opts.run.flow} ${describeLoad(opts.run.load, opts.run.count, opts.run.concurrency)} ${opts.every ? `every ${opts.every}` : `on cron '${opts.cron}'`}`,
    );
    return EXIT.ok;
  });
}

export async function scheduleList(): Promise<number> {
  return withClient(async (client) => {
    let n = 0;
    for await (const s of client.schedule.list()) {
      n++;
      const next = s.info.nextActionTimes[0]?.toISOString() ?? '-';
      out(`${s.scheduleId.padEnd(32)} ${(s.state.paused ? 'paused' : 'active').padEnd(7)} next ${next}`);
    }
    if (!n) out('no schedules');
    return EXIT.ok;
  });
}

export async function scheduleDescribe(id: string): Promise<number> {
  return withClient(async (client, databaseUrl) => {
    const d = await client.schedule.getHandle(id).describe();
    const input = (d.action as { args?: StressRunInput[] }).args?.[0];
    // The spec as it was written at create time (the server turns cron strings into calendars).
    const spec = (d.action as { memo?: { spec?: string } }).memo?.spec ?? JSON.stringify(d.spec);
    const load = input ? describeLoad(input.load, input.count, input.concurrency) : '?';
    out(`schedule ${id}: ${input?.flow ?? '?'} ${load}, ${spec}`);
    out(
      `state: ${d.state.paused ? 'paused' : 'active'}${d.state.note ? ` (${d.state.note})` : ''}; overlap ${d.policies.overlap}`,
    );
    out(`actions taken: ${d.info.numActionsTaken}, skipped for overlap: ${d.info.numActionsSkippedOverlap}`);
    out('next runs:');
    for (const t of d.info.nextActionTimes.slice(0, 5)) out(`  ${t.toISOString()}`);
    out('recent runs:');
    for (const action of d.info.recentActions) {
      const workflowId = action.action.workflow.workflowId;
      const result = await fetchResult(client, workflowId, databaseUrl).catch(() => undefined);
      const summary = result
        ? `${result.status}, ${result.completed_operations}/${result.total_operations} flows, success rate ${result.success_rate}%`
        : 'no result';
      out(`  ${action.takenAt.toISOString()}  ${workflowId}  ${summary}`);
    }
    return EXIT.ok;
  });
}

export async function scheduleAction(verb: 'pause' | 'unpause' | 'trigger' | 'delete', id: string, note?: string) {
  return withClient(async (client) => {
    const handle = client.schedule.getHandle(id);
    await handle.describe(); // an unknown id fails here, with a clear line
    if (verb === 'pause') await handle.pause(note ?? 'paused from the command line');
    if (verb === 'unpause') await handle.unpause(note ?? 'unpaused from the command line');
    if (verb === 'trigger') await handle.trigger(ScheduleOverlapPolicy.ALLOW_ALL);
    if (verb === 'delete') await handle.delete();
    out(`${verb}${verb.endsWith('e') ? 'd' : 'ed'} schedule ${id}`);
    return EXIT.ok;
  });
}

/** The workflow id of a schedule's most recent run. */
export async function latestScheduledRun(client: Client, scheduleId: string): Promise<string | undefined> {
  try {
    const d = await client.schedule.getHandle(scheduleId).describe();
    return d.info.recentActions.at(-1)?.action.workflow.workflowId;
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) throw new UsageError(`no schedule '${scheduleId}'`);
    throw err;
  }
}

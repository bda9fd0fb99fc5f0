import type { Pool } from 'pg';
import { z } from 'zod';
import { FLOW_NAMES, isFlowName, type FlowName } from '../flows/catalog';
import { latestRunOf, runById, type StoredRun } from '../db/stress-runs-store';

/** A run named on the command line: its id, or `latest:<flow>` for that flow's most recent finished run. */
export type RunRef = { kind: 'id'; id: string } | { kind: 'latest'; flow: FlowName };

export const runRefSchema = z.string().transform((text, ctx): RunRef => {
  const latest = /^latest:(.*)$/.exec(text);
  if (latest) {
    if (isFlowName(latest[1])) return { kind: 'latest', flow: latest[1] };
    ctx.addIssue({
      code: 'custom',
      message: `'${text}': unknown flow '${latest[1]}'; valid flows are ${FLOW_NAMES.join(', ')}`,
    });
    return z.NEVER;
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9._:-]{0,254}$/.test(text)) {
    ctx.addIssue({ code: 'custom', message: `'${text}' is not a run id or latest:<flow>` });
    return z.NEVER;
  }
  return { kind: 'id', id: text };
});

/** A run by id, or the latest of a flow (the current run's own row, `exclude`, excluded). */
export async function loadRun(pool: Pool, ref: RunRef, exclude?: string): Promise<StoredRun | undefined> {
  return ref.kind === 'id' ? runById(pool, ref.id) : latestRunOf(pool, ref.flow, exclude);
}

/** How a ref reads in a message. */
export const describeRef = (ref: RunRef) => (ref.kind === 'id' ? `run '${ref.id}'` : `latest:${ref.flow}`);

export type { StoredRun };

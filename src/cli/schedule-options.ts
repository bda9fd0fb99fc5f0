import { ScheduleOverlapPolicy } from '@temporalio/client';
import { CronExpressionParser } from 'cron-parser';
import { UsageError } from './errors';
import { parseStartOptions, type StartOptions } from './start-options';

export const OVERLAP_POLICIES = Object.keys(ScheduleOverlapPolicy)
  .filter((k) => k !== 'UNSPECIFIED')
  .map((k) => k.toLowerCase());

export interface ScheduleCreateOptions {
  id: string;
  run: StartOptions;
  every?: string;
  cron?: string;
  overlap: ScheduleOverlapPolicy;
}

/** `1h`, `15m`, `30s`, `1d`: a whole number and a unit. */
export function parseInterval(text: string): string {
  if (!/^[1-9]\d*(s|m|h|d)$/.test(text)) {
    throw new UsageError(`bad interval '${text}': write a whole number and a unit, e.g. 30s, 15m, 1h, 1d`);
  }
  return text;
}

/** A five-field cron expression (minute hour day-of-month month day-of-week), checked before the server sees it. */
export function parseCron(text: string): string {
  const fields = text.trim().split(/\s+/);
  if (fields.length !== 5) {
    throw new UsageError(`bad cron '${text}': it needs 5 fields (minute hour day-of-month month day-of-week)`);
  }
  try {
    CronExpressionParser.parse(text);
  } catch (err) {
    throw new UsageError(`bad cron '${text}': ${(err as Error).message}`);
  }
  return fields.join(' ');
}

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** Validates `schedule create`; every problem is a UsageError naming it. */
export function parseScheduleCreate(flow: string | undefined, raw: Record<string, unknown>): ScheduleCreateOptions {
  const run = parseStartOptions(flow, raw);
  if (run.json)
    throw new UsageError('--json does not apply to a schedule: use `npm run report -- --latest <id> --json FILE`');
  // A breakpoint search judges each step by its thresholds; other runs are judged by whoever reads them.
  if (run.thresholds.length && run.load?.model !== 'breakpoint') {
    throw new UsageError('--threshold does not apply to a schedule (except with --find-breakpoint)');
  }
  const every = raw.every === undefined ? undefined : parseInterval(String(raw.every));
  const cron = raw.cron === undefined ? undefined : parseCron(String(raw.cron));
  if (!every === !cron) throw new UsageError('give exactly one of --every (e.g. 1h) or --cron (e.g. "0 * * * *")');
  const id = raw.id === undefined ? `${run.flow}-${every ? `every-${every}` : 'cron'}` : String(raw.id);
  if (!ID.test(id)) throw new UsageError(`bad --id '${id}': letters, digits, '.', '_' and '-', at most 100`);
  const overlapName = String(raw.overlap ?? 'skip').toLowerCase();
  if (!OVERLAP_POLICIES.includes(overlapName)) {
    throw new UsageError(`bad --overlap '${overlapName}': valid are ${OVERLAP_POLICIES.join(', ')}`);
  }
  const overlap = ScheduleOverlapPolicy[overlapName.toUpperCase() as keyof typeof ScheduleOverlapPolicy];
  return { id, run, every, cron, overlap };
}

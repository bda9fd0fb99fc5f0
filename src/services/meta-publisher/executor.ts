import type { Pool, PoolClient } from 'pg';
import type { Agent } from 'undici';
import { DEFAULT_GATE, velocityRange } from '../ml-service/decision-gate';
import type { ServiceFaults } from '../../contracts/fault-profile';
import { realInterval, realMs } from '../shared/platform-time';
import { budgetsInWindow } from '../shared/budget-history';
import { hashSeed } from '../../stats/random';
import { marketFor } from '../../market/market';
import { changeSchema, type AppliedWrite, type QueuedChange } from '../../contracts/meta-publisher';
import { refProblem } from './change-refs';
import { lookupWrite, writeMeta, type MetaCallOptions } from './meta-client';

/** The SafeExecutor's rules, in platform time where they are times. */
export const EXECUTOR_RULES = {
  changesPerAccountHour: 15,
  maxAttempts: 5,
  /** How long a claim holds before another executor may take the change over (real time). */
  leaseMs: 5_000,
  /** Back-off after Meta refuses for its limits without saying for how long, in platform seconds (± 50 %). */
  metaBackoffSeconds: 60,
};

/** A claimed row of the queue, as stored (rows may have been written by anything, so it is parsed before use). */
interface ChangeRow {
  id: string;
  ad_account_id: string;
  ad_set_id: string;
  campaign_id: string | null;
  change_type: string;
  payload: Record<string, unknown>;
  attempts: number;
  time_scale: number;
  faults: ServiceFaults | null;
  planned_rules: Record<string, unknown> | null;
  /** The claim took over from an executor whose lease ran out (it may have called Meta before it stopped). */
  taken_over?: boolean;
}

export interface ExecutorDeps {
  pool: Pool;
  metaPublisherUrl: string;
  agent: Agent;
  name: string;
  rng: () => number;
  /** Sees the account's executed changes in its platform hour before each rate check (for the metrics). */
  onAccountWindow?: (changes: number) => void;
}

/** Claims due changes of every type (or changes whose claim expired) without waiting on rows others hold. */
export async function claim(deps: ExecutorDeps, limit = 4): Promise<ChangeRow[]> {
  const res = await deps.pool.query(
    `WITH due AS (
       SELECT id, status FROM pending_ad_changes
       WHERE (status = 'pending' AND earliest_execute_at <= now()) OR (status = 'claimed' AND lease_expires_at < now())
       ORDER BY earliest_execute_at LIMIT $3 FOR UPDATE SKIP LOCKED)
     UPDATE pending_ad_changes c SET status = 'claimed', claimed_by = $1, updated_at = now(),
       lease_expires_at = now() + $2 * interval '1 millisecond'
     FROM due WHERE c.id = due.id
     RETURNING c.*, due.status = 'claimed' AS taken_over`,
    [deps.name, EXECUTOR_RULES.leaseMs, limit],
  );
  return res.rows as ChangeRow[];
}

/**
 * A budget that does not look set by hand: never a whole or half unit, kept within [low, high]. The range is
 * applied first, so a budget clipped to a bound that happens to be round is moved off it too.
 */
export function fuzzyBudget(budget: number, low: number, high: number, rng: () => number): number {
  const [lo, hi] = [Math.ceil(low * 100), Math.floor(high * 100)];
  let cents = Math.min(hi, Math.max(lo, Math.round(budget * 100)));
  if (cents % 50 === 0) {
    const step = 1 + Math.floor(rng() * 36);
    cents = cents - step >= lo ? cents - step : cents + step;
  }
  return Math.min(hi, Math.max(lo, cents)) / 100;
}

/** How one claimed change ended this time (deferred: back in the queue for later). */
export type ExecutorOutcome = 'executed' | 'rejected' | 'dead_letter' | 'deferred';
type Outcome = ExecutorOutcome;

async function release(db: PoolClient, id: string, fields: string, params: unknown[]): Promise<void> {
  await db.query(
    `UPDATE pending_ad_changes SET claimed_by = NULL, lease_expires_at = NULL, updated_at = now(), ${fields} WHERE id = $1`,
    [id, ...params],
  );
}

/** The call a change makes on Meta, the value it replaces, and what the rules did (recorded with it). */
interface Plan {
  path: string;
  body: Record<string, unknown>;
  old: Record<string, unknown> | null;
  rules: Record<string, unknown>;
}

/** What the history records as the change's new value, from Meta's answer. */
function newValue(change: QueuedChange, answer: Record<string, unknown>): Record<string, unknown> {
  switch (change.change_type) {
    case 'create_ad':
      return { ad_id: answer.id, adset_id: change.ad_set_id, name: adCreation(change).name };
    case 'budget_update':
      return { daily_budget: answer.daily_budget, ad_split: change.payload.ad_split };
    case 'status_update':
      return { status: change.payload.status };
    case 'creative_swap':
      return { ad_id: change.payload.ad_id, creative: change.payload.creative };
  }
}

/** A new ad, as Meta wants it: a name, its ad set and its creative, created paused. */
function adCreation(change: Extract<QueuedChange, { change_type: 'create_ad' }>) {
  // The creative flow queues its ids (ad_id, video_id, blueprint_id) rather than a creative object.
  const { name, ad_id, creative, ...rest } = change.payload;
  return { name: name ?? ad_id ?? 'ad', adset_id: change.ad_set_id, creative: creative ?? rest, status: 'PAUSED' };
}

/**
 * The call for a change, or why the rules reject it. A budget is checked against Meta's own budget of the ad set
 * and Meta's record of its budgets in the velocity window: the object the call changes.
 */
async function planCall(
  db: PoolClient,
  deps: ExecutorDeps,
  change: QueuedChange,
  rowScale: number,
  accountChanges: number,
): Promise<Plan | { reject: string }> {
  const counted = { account_changes_in_hour: accountChanges };
  if (change.change_type === 'create_ad') {
    return { path: `/v19.0/${change.ad_account_id}/ads`, body: adCreation(change), old: null, rules: counted };
  }
  if (change.change_type === 'creative_swap') {
    const ad = await db.query('SELECT creative FROM meta_ads WHERE id = $1', [change.payload.ad_id]);
    return {
      path: `/v19.0/${change.payload.ad_id}`,
      body: { creative: change.payload.creative },
      old: { creative: ad.rows[0]?.creative ?? {} },
      rules: counted,
    };
  }
  const adSet = await db.query('SELECT daily_budget, status FROM meta_ad_sets WHERE ad_set_id = $1', [
    change.ad_set_id,
  ]);
  if (change.change_type === 'status_update') {
    return {
      path: `/v19.0/${change.ad_set_id}`,
      body: { status: change.payload.status, seed: change.payload.seed },
      old: { status: adSet.rows[0]?.status ?? 'ACTIVE' },
      rules: counted,
    };
  }
  const { seed, daily_budget: requested, ad_split } = change.payload;
  // An ad set Meta has not seen yet still has its initial budget in the market (Meta writes it on first sight).
  const initial = marketFor(seed).find((a) => a.adSetId === change.ad_set_id)?.initialDailyBudget;
  const current = Number(adSet.rows[0]?.daily_budget ?? initial ?? requested);
  const { low, high } = velocityRange(
    [current, ...(await budgetsInWindow(db, change.ad_set_id, rowScale))],
    DEFAULT_GATE.maxMove,
  );
  const target = Math.min(high, Math.max(low, requested));
  const budget = fuzzyBudget(target, low, high, deps.rng);
  if (Math.round(budget * 100) === Math.round(current * 100)) return { reject: 'velocity: no room to move within 6 h' };
  return {
    path: `/v19.0/${change.ad_set_id}`,
    body: { seed, daily_budget: budget, ad_split },
    old: { daily_budget: current },
    // What the rules did, so a flow can check them: requested, clipped to the velocity range, fuzzed.
    rules: {
      requested,
      current,
      velocity_low: low,
      velocity_high: high,
      target,
      applied: budget,
      clipped: target !== requested,
      ...counted,
    },
  };
}

/** The change's history row and its end, written together; `at` is when Meta applied it, when known. */
async function recordExecuted(
  db: PoolClient,
  change: QueuedChange & { id: string },
  old: Record<string, unknown> | null,
  answer: Record<string, unknown>,
  rules: Record<string, unknown>,
  at?: string,
): Promise<Outcome> {
  await db.query(
    `INSERT INTO ad_change_history
       (change_id, ad_account_id, ad_set_id, change_type, old_value, new_value, meta_response, rules, executed_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, coalesce($9::timestamptz, now()))`,
    [
      change.id,
      change.ad_account_id,
      change.ad_set_id,
      change.change_type,
      old === null ? null : JSON.stringify(old),
      JSON.stringify(newValue(change, answer)),
      JSON.stringify(answer),
      JSON.stringify(rules),
      at ?? null,
    ],
  );
  await release(db, change.id, `status = 'executed', executed_at = now(), last_error = NULL, planned_rules = NULL`, []);
  return 'executed';
}

/** The change as Meta applied it, from Meta's record: its old value is the one Meta replaced. */
function recordFromMeta(db: PoolClient, change: QueuedChange & { id: string }, write: AppliedWrite, rules: unknown) {
  const recovered = { ...((rules as Record<string, unknown> | null) ?? {}), recorded_from: 'meta_lookup' };
  return recordExecuted(db, change, write.before, write.response, recovered, write.at);
}

/** The wait after a spent attempt: 2, 4, 8… platform seconds, at most a real hour whatever the row's time scale. */
const backoffMs = (row: ChangeRow) => Math.min(3_600_000, realMs(2 ** (row.attempts + 1) * 1000, row.time_scale));

/** One attempt spent: back to pending with exponential back-off, or to the dead letter after the last. */
async function spendAttempt(db: PoolClient, row: ChangeRow, error: string, planned?: unknown): Promise<Outcome> {
  const attempts = row.attempts + 1;
  if (attempts >= EXECUTOR_RULES.maxAttempts) {
    await release(db, row.id, `status = 'dead_letter', attempts = $2, last_error = $3`, [attempts, error]);
    return 'dead_letter';
  }
  await release(
    db,
    row.id,
    `status = 'pending', attempts = $2, last_error = $3, earliest_execute_at = now() + $4 * interval '1 millisecond',
     planned_rules = coalesce($5, planned_rules)`,
    [attempts, error, backoffMs(row), planned ? JSON.stringify(planned) : null],
  );
  return 'deferred';
}

/**
 * Applies one claimed change. An exception inside spends an attempt, so a change that always throws ends in the
 * dead letter instead of coming back after every lease.
 */
export async function execute(deps: ExecutorDeps, row: ChangeRow): Promise<Outcome> {
  try {
    return await applyChange(deps, row);
  } catch (err) {
    const error = `executor error: ${(err as Error).message}`.slice(0, 300);
    const spent = await deps.pool.query<{ status: string }>(
      `UPDATE pending_ad_changes SET attempts = attempts + 1, last_error = $3, claimed_by = NULL, lease_expires_at = NULL,
         updated_at = now(), status = CASE WHEN attempts + 1 >= $4 THEN 'dead_letter' ELSE 'pending' END,
         earliest_execute_at = now() + $5 * interval '1 millisecond'
       WHERE id = $1 AND claimed_by = $2 AND status = 'claimed' RETURNING status`,
      [row.id, deps.name, error, EXECUTOR_RULES.maxAttempts, backoffMs(row)],
    );
    if (!spent.rowCount) throw err;
    return spent.rows[0].status === 'dead_letter' ? 'dead_letter' : 'deferred';
  }
}

/**
 * The rules, in order, under a per-account lock: the change must parse and name objects that exist and belong
 * together (else rejected); Meta is asked whether an earlier attempt applied it (then it is recorded as Meta has
 * it); the account's hourly rate; the velocity range and fuzzed budget; then the call, idempotent by change id.
 */
async function applyChange(deps: ExecutorDeps, row: ChangeRow): Promise<Outcome> {
  const db = await deps.pool.connect();
  try {
    await db.query('BEGIN');
    await db.query('SELECT pg_advisory_xact_lock($1)', [hashSeed(row.ad_account_id) | 0]);
    const mine = await db.query(
      `SELECT 1 FROM pending_ad_changes WHERE id = $1 AND claimed_by = $2 AND status = 'claimed'`,
      [row.id, deps.name],
    );
    if (!mine.rowCount) {
      await db.query('ROLLBACK');
      return 'deferred'; // the lease ran out and another executor took it
    }
    const outcome = await decide(db, deps, row);
    await db.query('COMMIT');
    return outcome;
  } catch (err) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    db.release();
  }
}

async function decide(db: PoolClient, deps: ExecutorDeps, row: ChangeRow): Promise<Outcome> {
  const reject = async (reason: string): Promise<Outcome> => {
    await release(db, row.id, `status = 'rejected', last_error = $2`, [reason]);
    return 'rejected';
  };
  const parsed = changeSchema.safeParse({ ...row, campaign_id: row.campaign_id ?? undefined });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return reject(`invalid change: ${issue.path.join('.')}: ${issue.message}`);
  }
  const change = { ...parsed.data, id: row.id };
  const problem = await refProblem(db, change);
  if (problem) return reject(`${problem.field}: ${problem.message}`);

  const meta: MetaCallOptions = {
    url: deps.metaPublisherUrl,
    agent: deps.agent,
    key: `change:${row.id}`,
    timeScale: row.time_scale,
    faults: row.faults,
  };
  // An earlier attempt (or an executor that lost its claim) may have reached Meta and lost the answer: what Meta
  // holds decides, never a guess from our own tables. A change never tried and never taken over has not been sent.
  if (row.attempts > 0 || row.taken_over) {
    const prior = await lookupWrite(meta);
    if (prior.kind === 'found') return recordFromMeta(db, change, prior.write, row.planned_rules);
    if (prior.kind === 'unknown') return spendAttempt(db, row, prior.error);
  }

  // The account's executed changes in the last platform hour, as Meta applied them.
  const hour = realInterval(1, row.time_scale);
  const window = await db.query(
    `SELECT count(*)::int AS n, min(at) AS oldest FROM meta_requests
     WHERE ad_account_id = $1 AND idempotency_key LIKE 'change:%' AND at > now() - $2::interval`,
    [row.ad_account_id, hour],
  );
  deps.onAccountWindow?.(window.rows[0].n);
  if (window.rows[0].n >= EXECUTOR_RULES.changesPerAccountHour) {
    // Wait until the oldest execution leaves the hour.
    await release(db, row.id, `status = 'pending', earliest_execute_at = $2::timestamptz + $3::interval`, [
      window.rows[0].oldest,
      hour,
    ]);
    return 'deferred';
  }
  const plan = await planCall(db, deps, change, row.time_scale, window.rows[0].n + 1);
  if ('reject' in plan) return reject(plan.reject);

  const answer = await writeMeta(meta, plan.path, plan.body);
  if (answer.kind === 'applied') return recordExecuted(db, change, plan.old, answer.body, plan.rules);
  if (answer.kind === 'throttled') {
    // Meta's own limits: back off and try later; this is not the change's fault, so no attempt is spent. Wait what
    // Meta advises when it says (plus up to 10 %, so executors do not return together), else a jittered default.
    const seconds = answer.advisedMs
      ? (answer.advisedMs / 1000) * (1 + 0.1 * deps.rng())
      : EXECUTOR_RULES.metaBackoffSeconds * (0.5 + deps.rng());
    await release(
      db,
      row.id,
      `status = 'pending', last_error = $2, earliest_execute_at = now() + $3 * interval '1 millisecond'`,
      [answer.error, realMs(seconds * 1000, row.time_scale)],
    );
    return 'deferred';
  }
  if (answer.kind === 'refused') return spendAttempt(db, row, answer.error);
  // No answer: Meta may have applied it. Ask now; if it cannot say, the next attempt asks first.
  const after = await lookupWrite(meta);
  if (after.kind === 'found') return recordFromMeta(db, change, after.write, plan.rules);
  return spendAttempt(db, row, answer.error, plan.rules);
}

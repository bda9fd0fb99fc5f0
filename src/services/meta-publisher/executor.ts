import type { Pool, PoolClient } from 'pg';
import { Agent, request } from 'undici';
import { DEFAULT_GATE, velocityRange } from '../ml-service/decision-gate';
import type { ServiceFaults } from '../shared/fault-profile';
import { realInterval, realMs } from '../shared/platform-time';
import { budgetsInWindow } from '../shared/budget-history';
import { metaBackoffMs } from '../shared/meta-usage';
import { encodeFaults, SIM_HEADERS } from '../shared/sim-headers';
import { hashSeed } from '../../stats/random';
import { marketFor } from '../../market/market';

/** The SafeExecutor's rules, in platform time where they are times. */
export const EXECUTOR_RULES = {
  changesPerAccountHour: 15,
  maxAttempts: 5,
  /** How long a claim holds before another executor may take the change over (real time). */
  leaseMs: 5_000,
  /** Back-off after Meta refuses for its limits without saying for how long, in platform seconds (± 50 %). */
  metaBackoffSeconds: 60,
};

interface Change {
  id: string;
  ad_account_id: string;
  ad_set_id: string;
  change_type: string;
  /** budget_update: daily_budget, ad_split, seed; create_ad: name, creative (or the creative flow's ids). */
  payload: {
    daily_budget: number;
    ad_split?: Record<string, number>;
    seed: number;
    name?: string;
    ad_id?: string;
    creative?: Record<string, unknown>;
    [field: string]: unknown;
  };
  attempts: number;
  time_scale: number;
  faults: ServiceFaults | null;
}

export interface ExecutorDeps {
  pool: Pool;
  metaPublisherUrl: string;
  agent: Agent;
  name: string;
  rng: () => number;
}

/** Claims due changes (or changes whose claim expired) without waiting on rows another executor holds. */
export async function claim(deps: ExecutorDeps, limit = 4): Promise<Change[]> {
  const res = await deps.pool.query(
    `UPDATE pending_ad_changes SET status = 'claimed', claimed_by = $1, updated_at = now(),
       lease_expires_at = now() + $2 * interval '1 millisecond'
     WHERE id IN (
       SELECT id FROM pending_ad_changes
       WHERE change_type IN ('budget_update', 'create_ad')
         AND ((status = 'pending' AND earliest_execute_at <= now()) OR (status = 'claimed' AND lease_expires_at < now()))
       ORDER BY earliest_execute_at LIMIT $3 FOR UPDATE SKIP LOCKED)
     RETURNING *`,
    [deps.name, EXECUTOR_RULES.leaseMs, limit],
  );
  return res.rows as Change[];
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

type Outcome = 'executed' | 'rejected' | 'dead_letter' | 'deferred';

async function release(db: PoolClient | Pool, id: string, fields: string, params: unknown[]): Promise<void> {
  await db.query(
    `UPDATE pending_ad_changes SET claimed_by = NULL, lease_expires_at = NULL, updated_at = now(), ${fields} WHERE id = $1`,
    [id, ...params],
  );
}

/** One call to the simulated Meta API on the change's behalf, idempotent by the change id. */
async function callMeta(deps: ExecutorDeps, change: Change, path: string, body: unknown) {
  const res = await request(`${deps.metaPublisherUrl}${path}`, {
    method: 'POST',
    dispatcher: deps.agent,
    headers: {
      'content-type': 'application/json',
      [SIM_HEADERS.idempotencyKey]: `change:${change.id}`,
      [SIM_HEADERS.timeScale]: String(change.time_scale),
      ...(change.faults ? { [SIM_HEADERS.faults]: encodeFaults(change.faults) } : {}),
    },
    body: JSON.stringify(body),
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  }).catch((err: Error) => ({ statusCode: 0, headers: {}, body: { text: async () => err.message } }));
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

/** A new ad, as Meta wants it: a name, its ad set and its creative, created paused. */
function adCreation(change: Change) {
  // The creative flow queues its ids (ad_id, video_id, blueprint_id) rather than a creative object.
  const { name, ad_id, creative, ...rest } = change.payload;
  return {
    name: name ?? ad_id ?? `ad ${change.id}`,
    adset_id: change.ad_set_id,
    creative: creative ?? rest,
    status: 'PAUSED',
  };
}

/**
 * Applies one claimed change: the account's rate limit and the ad set's velocity are checked under a
 * per-account lock, the budget is fuzzed, Meta is called (idempotently, by change id), and the history
 * row and the change's state are written together.
 */
export async function execute(deps: ExecutorDeps, change: Change): Promise<Outcome> {
  const scale = change.time_scale;
  const db = await deps.pool.connect();
  try {
    await db.query('BEGIN');
    await db.query('SELECT pg_advisory_xact_lock($1)', [hashSeed(change.ad_account_id) | 0]);
    const mine = await db.query(
      `SELECT 1 FROM pending_ad_changes WHERE id = $1 AND claimed_by = $2 AND status = 'claimed'`,
      [change.id, deps.name],
    );
    if (!mine.rowCount) {
      await db.query('ROLLBACK');
      return 'deferred'; // the lease ran out and another executor took it
    }
    const window = await db.query(
      `SELECT count(*)::int AS n, min(executed_at) AS oldest FROM ad_change_history
       WHERE ad_account_id = $1 AND executed_at > now() - $2::interval`,
      [change.ad_account_id, realInterval(1, scale)],
    );
    if (window.rows[0].n >= EXECUTOR_RULES.changesPerAccountHour) {
      // Wait until the oldest execution leaves the hour.
      await release(db, change.id, `status = 'pending', earliest_execute_at = $2::timestamptz + $3::interval`, [
        window.rows[0].oldest,
        realInterval(1, scale),
      ]);
      await db.query('COMMIT');
      return 'deferred';
    }
    const accountChanges = window.rows[0].n + 1;
    let call: Awaited<ReturnType<typeof callMeta>>;
    let history: { old: unknown; new: (meta: Record<string, unknown>) => unknown; rules: Record<string, unknown> };
    if (change.change_type === 'create_ad') {
      const ad = adCreation(change);
      call = await callMeta(deps, change, `/v19.0/${change.ad_account_id}/ads`, ad);
      history = {
        old: null,
        new: (meta) => ({ ad_id: meta.id, adset_id: ad.adset_id, name: ad.name }),
        rules: { account_changes_in_hour: accountChanges },
      };
    } else {
      const current = await db.query('SELECT daily_budget FROM meta_ad_sets WHERE ad_set_id = $1', [change.ad_set_id]);
      // An ad set Meta has not seen yet still has its initial budget in the market.
      const initial = marketFor(change.payload.seed).find((a) => a.adSetId === change.ad_set_id)?.initialDailyBudget;
      const currentBudget = Number(current.rows[0]?.daily_budget ?? initial ?? change.payload.daily_budget);
      const budgets = [currentBudget, ...(await budgetsInWindow(db, change.ad_set_id, scale))];
      const { low, high } = velocityRange(budgets, DEFAULT_GATE.maxMove);
      const target = Math.min(high, Math.max(low, change.payload.daily_budget));
      const budget = fuzzyBudget(target, low, high, deps.rng);
      if (Math.round(budget * 100) === Math.round(currentBudget * 100)) {
        await release(db, change.id, `status = 'rejected', last_error = $2`, ['velocity: no room to move within 6 h']);
        await db.query('COMMIT');
        return 'rejected';
      }
      call = await callMeta(deps, change, `/v19.0/${change.ad_set_id}`, {
        seed: change.payload.seed,
        daily_budget: budget,
        ad_split: change.payload.ad_split,
      });
      history = {
        old: { daily_budget: currentBudget },
        new: (meta) => ({ daily_budget: meta.daily_budget, ad_split: change.payload.ad_split }),
        // What the rules did, so a flow can check them: requested, clipped to the velocity range, fuzzed.
        rules: {
          requested: change.payload.daily_budget,
          current: currentBudget,
          velocity_low: low,
          velocity_high: high,
          target,
          applied: budget,
          clipped: target !== change.payload.daily_budget,
          account_changes_in_hour: accountChanges,
        },
      };
    }
    const text = call.text;
    if (call.status === 200) {
      const meta = JSON.parse(text) as Record<string, unknown>;
      await db.query(
        `INSERT INTO ad_change_history (change_id, ad_account_id, ad_set_id, change_type, old_value, new_value, meta_response, rules)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          change.id,
          change.ad_account_id,
          change.ad_set_id,
          change.change_type,
          history.old === null ? null : JSON.stringify(history.old),
          JSON.stringify(history.new(meta)),
          text,
          JSON.stringify(history.rules),
        ],
      );
      await release(db, change.id, `status = 'executed', executed_at = now(), last_error = NULL`, []);
      await db.query('COMMIT');
      return 'executed';
    }
    if (call.status === 400 && /OAuthException/.test(text)) {
      // Meta's own limits: back off and try later; this is not the change's fault, so no attempt is spent.
      // Wait what Meta advises when it says (plus up to 10 %, so executors do not return together), else a
      // jittered default.
      const advisedMs = metaBackoffMs(call.headers);
      const seconds = advisedMs
        ? (advisedMs / 1000) * (1 + 0.1 * deps.rng())
        : EXECUTOR_RULES.metaBackoffSeconds * (0.5 + deps.rng());
      await release(
        db,
        change.id,
        `status = 'pending', last_error = $2, earliest_execute_at = now() + $3 * interval '1 millisecond'`,
        [text.slice(0, 300), realMs(seconds * 1000, scale)],
      );
      await db.query('COMMIT');
      return 'deferred';
    }
    const attempts = change.attempts + 1;
    const error = `Meta answered ${call.status}: ${text.slice(0, 200)}`;
    if (attempts >= EXECUTOR_RULES.maxAttempts) {
      await release(db, change.id, `status = 'dead_letter', attempts = $2, last_error = $3`, [attempts, error]);
      await db.query('COMMIT');
      return 'dead_letter';
    }
    await release(
      db,
      change.id,
      `status = 'pending', attempts = $2, last_error = $3, earliest_execute_at = now() + $4 * interval '1 millisecond'`,
      [attempts, error, realMs(2 ** attempts * 1000, scale)],
    );
    await db.query('COMMIT');
    return 'deferred';
  } catch (err) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    db.release();
  }
}

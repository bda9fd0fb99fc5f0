import type { Pool, PoolClient } from 'pg';
import type { CallContext } from '../flows/types';
import type { ActivityDeps } from './deps';
import { inTransaction } from '../db/helpers';
import { check, verified } from './verified';

/** How many writers race on one row, and how many claimers share one queue, per flow. */
export const DB_RULES = { concurrentWriters: 8, queuedRows: 12, claimers: 4, claimBatch: 2 } as const;

/** The SQLSTATE of a statement expected to be refused, or undefined if it went through. */
async function refusal(db: Pool | PoolClient, sql: string, params: unknown[]): Promise<string | undefined> {
  try {
    await db.query(sql, params);
    return undefined;
  } catch (err) {
    const code = (err as { code?: string }).code;
    // Anything but a constraint refusal (a lost connection, say) is not what the step tests: retry it.
    if (!code || !code.startsWith('23')) throw err;
    return code;
  }
}

async function count(db: Pool | PoolClient, sql: string, params: unknown[]): Promise<number> {
  const res = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, params);
  return res.rows[0].n;
}

/** A user and a campaign keyed by the step's key (ids derived from it), reset to a known state. */
async function ownCampaign(db: Pool | PoolClient, key: string, budget = 100): Promise<{ userId: string; id: string }> {
  const user = await db.query<{ id: string }>(
    `INSERT INTO users (id, email, name) VALUES (md5($1 || ':user')::uuid, $1 || '@dbops.sim', 'database-operations')
     ON CONFLICT (email) DO UPDATE SET name = EXCLUDED.name RETURNING id`,
    [key],
  );
  const campaign = await db.query<{ id: string }>(
    `INSERT INTO campaigns (id, user_id, ad_account_id, name, daily_budget, targeting)
     VALUES (md5($1 || ':campaign')::uuid, $2, 'dbops:' || $1, $1, $3, '{"geo": ["US"], "age": [25, 44]}')
     ON CONFLICT (id) DO UPDATE SET status = 'draft', daily_budget = $3, updated_at = now() RETURNING id`,
    [key, user.rows[0].id, budget],
  );
  return { userId: user.rows[0].id, id: campaign.rows[0].id };
}

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function planNodes(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(planNodes)];
}

const INDEX_NODES = new Set(['Index Scan', 'Index Only Scan', 'Bitmap Index Scan']);

/**
 * The database-operations flow: each step works on PostgreSQL directly, on rows keyed by its call
 * context, checks the property it names and fails (for good) if it does not hold. A retry resets the
 * step's own rows instead of adding new ones.
 */
export function createDatabaseActivities(deps: ActivityDeps) {
  const { pool } = deps;
  return {
    /** Create, read, update and delete a campaign (and its user), checking each answer. */
    db_crud: (ctx: CallContext) =>
      verified(async () => {
        const { id } = await ownCampaign(pool, ctx.key);
        const read = await pool.query(
          `SELECT status, daily_budget::float AS budget, targeting FROM campaigns WHERE id = $1`,
          [id],
        );
        check(read.rowCount === 1 && read.rows[0].status === 'draft', 'created campaign not read back as a draft');
        check(read.rows[0].targeting.age?.[1] === 44, 'targeting did not survive the round trip');
        const updated = await pool.query(
          `UPDATE campaigns SET status = 'active', daily_budget = daily_budget * 1.2, updated_at = now()
           WHERE id = $1 RETURNING status, daily_budget::float AS budget`,
          [id],
        );
        check(updated.rows[0]?.status === 'active' && updated.rows[0].budget === 120, 'update not applied exactly');
        // Delete: a second campaign of the same user, created then removed.
        const temp = await pool.query<{ id: string }>(
          `INSERT INTO campaigns (id, user_id, ad_account_id, name) SELECT md5($1 || ':temp')::uuid, user_id, ad_account_id, $1 || ':temp'
           FROM campaigns WHERE id = $2 ON CONFLICT (id) DO NOTHING RETURNING id`,
          [ctx.key, id],
        );
        const deleted = await pool.query(`DELETE FROM campaigns WHERE id = md5($1 || ':temp')::uuid`, [ctx.key]);
        check(deleted.rowCount === 1, `delete removed ${deleted.rowCount} rows, expected 1`);
        check(
          (await count(pool, `campaigns WHERE id = md5($1 || ':temp')::uuid`, [ctx.key])) === 0,
          'deleted row still there',
        );
        return { campaign_id: id, created_temp: temp.rowCount === 1 };
      }),

    /** A write with a missing parent is refused and leaves nothing of its transaction; a valid child is accepted; deletes cascade. */
    db_foreign_keys: (ctx: CallContext) =>
      verified(async () => {
        // The transaction even tries to commit after the refusal: PostgreSQL must roll all of it back.
        const code = await inTransaction(pool, async (db) => {
          await db.query(
            `INSERT INTO videos (idempotency_key, source_url, duration_seconds) VALUES ($1 || ':orphan-video', 'sim://dbops', 12)`,
            [ctx.key],
          );
          return refusal(
            db,
            `INSERT INTO render_jobs (idempotency_key, blueprint_id) VALUES ($1 || ':orphan', md5($1 || ':no-such-blueprint')::uuid)`,
            [ctx.key],
          );
        });
        check(
          code === '23503',
          `insert with a missing parent was ${code ? `refused with ${code}` : 'accepted'}, expected 23503`,
        );
        const left =
          (await count(pool, `videos WHERE idempotency_key = $1 || ':orphan-video'`, [ctx.key])) +
          (await count(pool, `render_jobs WHERE idempotency_key = $1 || ':orphan'`, [ctx.key]));
        check(left === 0, `${left} rows of the refused transaction remain`);

        // A child with its parent is accepted.
        await inTransaction(pool, async (db) => {
          const bp = await db.query<{ id: string }>(
            `INSERT INTO blueprints (idempotency_key, brief) VALUES ($1, '{"dbops": true}')
             ON CONFLICT (idempotency_key) DO UPDATE SET brief = EXCLUDED.brief RETURNING id`,
            [ctx.key],
          );
          await db.query(
            `INSERT INTO render_jobs (idempotency_key, blueprint_id) VALUES ($1, $2) ON CONFLICT (idempotency_key) DO NOTHING`,
            [ctx.key, bp.rows[0].id],
          );
        });
        check((await count(pool, `render_jobs WHERE idempotency_key = $1`, [ctx.key])) === 1, 'valid child not stored');

        // ON DELETE CASCADE: removing a user removes its campaigns.
        const owner = await ownCampaign(pool, `${ctx.key}:cascade`);
        await pool.query('DELETE FROM users WHERE id = $1', [owner.userId]);
        check((await count(pool, 'campaigns WHERE id = $1', [owner.id])) === 0, 'campaign outlived its deleted user');
        return { refused_with: code };
      }),

    /** JSONB: containment through the GIN index, path reads, jsonb_set and merge, all exact. */
    db_jsonb: (ctx: CallContext) =>
      verified(async () => {
        const features = {
          dbops: ctx.key,
          hook: { kind: 'question', score: 0.5 },
          tags: ['ugc', 'café ☕'],
          scenes: 3,
        };
        const row = await pool.query<{ id: string }>(
          `INSERT INTO videos (idempotency_key, source_url, duration_seconds, features) VALUES ($1, 'sim://dbops', 15, $2)
           ON CONFLICT (idempotency_key) DO UPDATE SET features = EXCLUDED.features RETURNING id`,
          [ctx.key, JSON.stringify(features)],
        );
        const id = row.rows[0].id;
        const found = await pool.query(`SELECT id FROM videos WHERE features @> $1::jsonb`, [
          JSON.stringify({ dbops: ctx.key, hook: { kind: 'question' } }),
        ]);
        check(found.rowCount === 1 && found.rows[0].id === id, `containment found ${found.rowCount} rows, expected 1`);
        await pool.query(
          `UPDATE videos SET features = jsonb_set(features, '{hook,score}', '0.9') || '{"reviewed": true}' WHERE id = $1`,
          [id],
        );
        const after = await pool.query(
          `SELECT features #>> '{hook,score}' AS score, features #>> '{tags,1}' AS tag, features ? 'reviewed' AS reviewed,
                  jsonb_array_length(features -> 'tags') AS tags, features -> 'scenes' AS scenes
           FROM videos WHERE id = $1`,
          [id],
        );
        const a = after.rows[0];
        check(a.score === '0.9', `jsonb_set gave score ${a.score}`);
        check(a.tag === 'café ☕' && a.tags === 2, 'array element did not round-trip exactly');
        check(a.reviewed === true && a.scenes === 3, 'merge lost or changed keys');
        return { video_id: id };
      }),

    /** A failed transaction leaves nothing; a rolled-back savepoint undoes only its part. */
    db_transaction_rollback: (ctx: CallContext) =>
      verified(async () => {
        await inTransaction(pool, async (db) => {
          await db.query(
            `INSERT INTO blueprints (idempotency_key) VALUES ($1) ON CONFLICT (idempotency_key) DO NOTHING`,
            [ctx.key],
          );
          await db.query('SAVEPOINT partial');
          await db.query(`INSERT INTO blueprints (idempotency_key) VALUES ($1 || ':undone')`, [ctx.key]);
          await db.query('ROLLBACK TO SAVEPOINT partial');
        });
        const code = await inTransaction(pool, async (db) => {
          await db.query(`INSERT INTO blueprints (idempotency_key) VALUES ($1 || ':aborted')`, [ctx.key]);
          await db.query(`UPDATE blueprints SET score = 1 WHERE idempotency_key = $1`, [ctx.key]);
          const refused = await refusal(db, `UPDATE blueprints SET verdict = 'bogus' WHERE idempotency_key = $1`, [
            ctx.key,
          ]);
          // A refused statement aborts the transaction: it must be rolled back, not committed.
          throw Object.assign(new Error('rolled back on purpose'), { refused });
        }).catch((err: { refused?: string }) => {
          if (!('refused' in err)) throw err;
          return err.refused;
        });
        check(code === '23514', `bad verdict was ${code ? `refused with ${code}` : 'accepted'}, expected 23514`);
        const rows = await pool.query<{ idempotency_key: string; score: number | null; verdict: string }>(
          `SELECT idempotency_key, score, verdict FROM blueprints WHERE idempotency_key LIKE $1 || '%'`,
          [ctx.key],
        );
        check(
          rows.rowCount === 1 && rows.rows[0].idempotency_key === ctx.key,
          `${rows.rowCount} rows remain, expected only the committed one`,
        );
        check(rows.rows[0].score === null && rows.rows[0].verdict === 'pending', 'the aborted update leaked');
        return { refused_with: code };
      }),

    /** N writers read-modify-write one row under FOR UPDATE at once: it ends at exactly N. */
    db_concurrent_writes: (ctx: CallContext) =>
      verified(async () => {
        const { id } = await ownCampaign(pool, ctx.key, 0);
        const started = Date.now();
        await Promise.all(
          Array.from({ length: DB_RULES.concurrentWriters }, () =>
            inTransaction(pool, async (db) => {
              const cur = await db.query<{ budget: number }>(
                'SELECT daily_budget::float AS budget FROM campaigns WHERE id = $1 FOR UPDATE',
                [id],
              );
              await db.query('UPDATE campaigns SET daily_budget = $2, updated_at = now() WHERE id = $1', [
                id,
                cur.rows[0].budget + 1,
              ]);
            }),
          ),
        );
        const end = await pool.query<{ budget: number }>(
          'SELECT daily_budget::float AS budget FROM campaigns WHERE id = $1',
          [id],
        );
        check(
          end.rows[0].budget === DB_RULES.concurrentWriters,
          `after ${DB_RULES.concurrentWriters} increments: ${end.rows[0].budget} (lost updates)`,
        );
        return { writers: DB_RULES.concurrentWriters, final: end.rows[0].budget, ms: Date.now() - started };
      }),

    /**
     * The planner serves keyed lookups from the expected indexes. Seq scans are priced out for the
     * transaction (SET LOCAL enable_seqscan = off): on a small table a seq scan is the right plan, so this
     * asks whether the index can serve the predicate at all; a missing or mismatched index still plans a Seq Scan.
     */
    db_index_performance: (ctx: CallContext) =>
      verified(async () => {
        await ownCampaign(pool, ctx.key);
        const lookups: Array<{ index: string; sql: string; params: unknown[] }> = [
          {
            index: 'campaigns_ad_account_id_idx',
            sql: 'SELECT id FROM campaigns WHERE ad_account_id = $1',
            params: [`dbops:${ctx.key}`],
          },
          {
            index: 'videos_idempotency_key_key',
            sql: 'SELECT id FROM videos WHERE idempotency_key = $1',
            params: [ctx.key],
          },
          {
            index: 'videos_features_gin',
            sql: 'SELECT id FROM videos WHERE features @> $1::jsonb',
            params: [JSON.stringify({ dbops: ctx.key })],
          },
          {
            index: 'pending_ad_changes_account_idx',
            sql: `SELECT id, status FROM pending_ad_changes WHERE ad_account_id = $1`,
            params: [`dbops:${ctx.key}`],
          },
        ];
        const plans = await inTransaction(pool, async (db) => {
          await db.query('SET LOCAL enable_seqscan = off');
          const out: Record<string, string> = {};
          for (const l of lookups) {
            const res = await db.query(`EXPLAIN (FORMAT JSON) ${l.sql}`, l.params);
            const root = (res.rows[0]['QUERY PLAN'] as Array<{ Plan: PlanNode }>)[0].Plan;
            const used = planNodes(root).find((n) => INDEX_NODES.has(n['Node Type']) && n['Index Name'] === l.index);
            check(
              !!used,
              `${l.sql} does not use ${l.index}: plan ${planNodes(root)
                .map((n) => n['Node Type'])
                .join(' > ')}`,
            );
            out[l.index] = used['Node Type'];
          }
          return out;
        });
        return { plans };
      }),

    /** Claimers sharing a queue with FOR UPDATE SKIP LOCKED: no row claimed twice, every row claimed. */
    db_skip_locked: (ctx: CallContext) =>
      verified(async () => {
        const account = `dbops:${ctx.key}`;
        // status_update rows due at infinity: the SafeExecutor's own claimers never see them.
        await pool.query(
          `INSERT INTO pending_ad_changes (idempotency_key, ad_account_id, ad_set_id, change_type, payload, earliest_execute_at)
           SELECT $1 || ':' || i, $2, $1, 'status_update', jsonb_build_object('row', i), 'infinity'
           FROM generate_series(1, $3::int) AS i
           ON CONFLICT (idempotency_key) DO UPDATE SET status = 'pending', claimed_by = NULL, updated_at = now()`,
          [ctx.key, account, DB_RULES.queuedRows],
        );
        const claimer = async (name: string): Promise<string[]> => {
          const mine: string[] = [];
          for (;;) {
            const batch = await inTransaction(pool, async (db) => {
              const res = await db.query<{ id: string }>(
                `SELECT id FROM pending_ad_changes WHERE ad_account_id = $1 AND status = 'pending'
                 ORDER BY created_at, idempotency_key LIMIT $2 FOR UPDATE SKIP LOCKED`,
                [account, DB_RULES.claimBatch],
              );
              const ids = res.rows.map((r) => r.id);
              if (!ids.length) return ids;
              // The claim is held for a moment, as an executor holds it while it works, so claimers overlap.
              await db.query('SELECT pg_sleep(0.01)');
              await db.query(
                `UPDATE pending_ad_changes SET status = 'claimed', claimed_by = $2, updated_at = now() WHERE id = ANY($1)`,
                [ids, name],
              );
              return ids;
            });
            if (!batch.length) return mine;
            mine.push(...batch);
          }
        };
        const names = Array.from({ length: DB_RULES.claimers }, (_, i) => `${ctx.key}#${i}`);
        const claims = await Promise.all(names.map(claimer));
        const all = claims.flat();
        check(new Set(all).size === all.length, `${all.length - new Set(all).size} rows claimed twice`);
        check(all.length === DB_RULES.queuedRows, `claimed ${all.length} of ${DB_RULES.queuedRows} rows`);
        const stored = await pool.query<{ id: string; claimed_by: string }>(
          `SELECT id, claimed_by FROM pending_ad_changes WHERE ad_account_id = $1`,
          [account],
        );
        const byClaimer = new Map(names.flatMap((n, i) => claims[i].map((id) => [id, n] as const)));
        check(
          stored.rows.every((r) => byClaimer.get(r.id) === r.claimed_by),
          'a row is recorded as claimed by another claimer than the one that got it',
        );
        return { rows: all.length, claimers_with_rows: claims.filter((c) => c.length).length };
      }),
  };
}

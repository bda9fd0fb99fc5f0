import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { migrate } from '../../src/db/migrate';
import { useTestStack } from '../support/stack';

const PLATFORM_TABLES = [
  'users',
  'campaigns',
  'blueprints',
  'render_jobs',
  'videos',
  'pending_ad_changes',
  'ad_change_history',
  'predictions',
  'performance_metrics',
  'creative_dna_extractions',
  'semantic_cache_entries',
  'learning_cycles',
  'feedback_events',
  'cross_account_patterns',
  'winning_patterns',
];

const stack = useTestStack();

test('migrations created the fifteen platform tables and stress_runs, each with a primary key', async () => {
  const tables = await stack.pool.query(
    `SELECT t.table_name FROM information_schema.tables t
     JOIN information_schema.table_constraints c ON c.table_name = t.table_name AND c.constraint_type = 'PRIMARY KEY'
     WHERE t.table_schema = 'public'`,
  );
  const names = tables.rows.map((r) => r.table_name);
  for (const table of [...PLATFORM_TABLES, 'stress_runs']) expect(names).toContain(table);
});

test('foreign keys link the tables as the platform uses them', async () => {
  const fks = await stack.pool.query(
    `SELECT tc.table_name AS child, ccu.table_name AS parent
     FROM information_schema.table_constraints tc
     JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = tc.constraint_name
     WHERE tc.constraint_type = 'FOREIGN KEY'`,
  );
  const pairs = new Set(fks.rows.map((r) => `${r.child}->${r.parent}`));
  for (const pair of [
    'campaigns->users',
    'render_jobs->blueprints',
    'render_jobs->videos',
    'predictions->videos',
    'ad_change_history->pending_ad_changes',
    'creative_dna_extractions->videos',
    'winning_patterns->learning_cycles',
  ]) {
    expect(pairs).toContain(pair);
  }
});

test('JSONB documents and the queue index on pending_ad_changes exist', async () => {
  const jsonb = await stack.pool.query(
    `SELECT table_name, column_name FROM information_schema.columns WHERE data_type = 'jsonb' AND table_schema = 'public'`,
  );
  const cols = new Set(jsonb.rows.map((r) => `${r.table_name}.${r.column_name}`));
  for (const c of [
    'videos.scenes',
    'blueprints.council_votes',
    'pending_ad_changes.payload',
    'feedback_events.payload',
  ]) {
    expect(cols).toContain(c);
  }
  const index = await stack.pool.query(
    `SELECT indexdef FROM pg_indexes WHERE tablename = 'pending_ad_changes' AND indexname = 'pending_ad_changes_claim_idx'`,
  );
  expect(index.rows[0].indexdef).toMatch(/WHERE \(status = 'pending'::text\)/);
});

test('a write that breaks a foreign key or a check is refused and leaves nothing behind', async () => {
  const missingUser = randomUUID();
  await expect(
    stack.pool.query(`INSERT INTO campaigns (user_id, ad_account_id, name) VALUES ($1, 'act_1', 'orphan')`, [
      missingUser,
    ]),
  ).rejects.toMatchObject({ code: '23503' });
  await expect(
    stack.pool.query(`INSERT INTO predictions (idempotency_key, model_version, predicted_ctr) VALUES ($1, 'v', 1.5)`, [
      randomUUID(),
    ]),
  ).rejects.toMatchObject({ code: '23514' });
  const left = await stack.pool.query('SELECT count(*)::int AS n FROM campaigns WHERE user_id = $1', [missingUser]);
  expect(left.rows[0].n).toBe(0);
});

test('running the migrations again is a no-op', async () => {
  const before = await stack.pool.query('SELECT version, applied_at FROM schema_migrations ORDER BY version');
  expect(await migrate(stack.pool)).toEqual([]);
  const after = await stack.pool.query('SELECT version, applied_at FROM schema_migrations ORDER BY version');
  expect(after.rows).toEqual(before.rows);
  // Every migration file is applied, in order.
  const files = fs
    .readdirSync(path.resolve(__dirname, '../../src/db/migrations'))
    .filter((f) => f.endsWith('.sql'))
    .map((f) => f.replace(/\.sql$/, ''))
    .sort();
  expect(files.slice(0, 4)).toEqual(['001_platform', '002_stress_runs', '003_budget_optimization', '004_learning']);
  expect(before.rows.map((r) => r.version)).toEqual(files);
});

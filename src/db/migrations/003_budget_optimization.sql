-- Budget optimization: the simulated Meta side (ad sets with live budgets, the budget updates and API calls
-- it answered, for its own limits), the decision gate's record, and what the SafeExecutor needs per change.

CREATE TABLE meta_ad_sets (
  ad_set_id text PRIMARY KEY,
  ad_account_id text NOT NULL,
  daily_budget numeric(14, 2) NOT NULL CHECK (daily_budget > 0),
  ad_split jsonb NOT NULL DEFAULT '{}',
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX meta_ad_sets_account_idx ON meta_ad_sets (ad_account_id);

CREATE TABLE meta_budget_updates (
  id bigserial PRIMARY KEY,
  idempotency_key text NOT NULL UNIQUE,
  ad_set_id text NOT NULL REFERENCES meta_ad_sets (ad_set_id),
  ad_account_id text NOT NULL,
  old_budget numeric(14, 2) NOT NULL,
  new_budget numeric(14, 2) NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX meta_budget_updates_ad_set_time_idx ON meta_budget_updates (ad_set_id, at);

CREATE TABLE meta_api_calls (
  id bigserial PRIMARY KEY,
  ad_account_id text NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX meta_api_calls_account_time_idx ON meta_api_calls (ad_account_id, at);

CREATE TABLE budget_decisions (
  id bigserial PRIMARY KEY,
  idempotency_key text NOT NULL UNIQUE,
  ad_set_id text NOT NULL,
  decision text NOT NULL CHECK (decision IN ('approve', 'clip', 'hold')),
  reason text NOT NULL,
  current_budget numeric(14, 2) NOT NULL,
  proposed_budget numeric(14, 2) NOT NULL,
  approved_budget numeric(14, 2) NOT NULL,
  probability_best double precision NOT NULL,
  split jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX budget_decisions_ad_set_idx ON budget_decisions (ad_set_id, created_at);

-- The executor works in the platform time and under the faults of the run that queued the change.
ALTER TABLE pending_ad_changes
  ADD COLUMN time_scale double precision NOT NULL DEFAULT 1 CHECK (time_scale > 0),
  ADD COLUMN faults jsonb;

-- What the simulated Meta applied, by the caller's idempotency key: a caller whose answer was lost asks here
-- before it decides again. `before` is the object's state the write replaced.
CREATE TABLE meta_requests (
  idempotency_key text PRIMARY KEY,
  kind text NOT NULL
    CHECK (kind IN ('campaign', 'ad_set', 'ad', 'budget_update', 'status_update', 'creative_swap')),
  object_id text NOT NULL,
  ad_account_id text NOT NULL,
  before jsonb,
  response jsonb NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX meta_requests_account_time_idx ON meta_requests (ad_account_id, at);

-- Ad sets and ads can be paused and resumed (status_update changes).
ALTER TABLE meta_ad_sets ADD COLUMN status text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'PAUSED'));

-- The creative flow's ad sets, four in each of its five accounts, standing on the simulated Meta as the market's do:
-- a queued change must name an ad set that exists.
INSERT INTO meta_ad_sets (ad_set_id, ad_account_id, daily_budget)
SELECT 'act_' || (100001 + a) || '_as' || s, 'act_' || (100001 + a), 100
FROM generate_series(0, 4) AS a, generate_series(0, 3) AS s
ON CONFLICT DO NOTHING;

-- The rules the executor applied to a change whose answer from Meta was lost, so the change can be recorded
-- with them when Meta says it applied it.
ALTER TABLE pending_ad_changes ADD COLUMN planned_rules jsonb;

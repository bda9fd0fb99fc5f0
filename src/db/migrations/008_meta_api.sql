-- Meta API flow: the simulated Meta side's campaigns and ads, and what the SafeExecutor records about the
-- rules it applied to each change (jitter, velocity clip, fuzzed budget), so a flow can check them.

CREATE TABLE meta_campaigns (
  id text PRIMARY KEY,
  idempotency_key text NOT NULL UNIQUE,
  ad_account_id text NOT NULL,
  name text NOT NULL,
  objective text NOT NULL,
  status text NOT NULL CHECK (status IN ('ACTIVE', 'PAUSED')),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX meta_campaigns_account_idx ON meta_campaigns (ad_account_id);

-- Ad sets Meta created on request (market ad sets are known without a row here).
ALTER TABLE meta_ad_sets ADD COLUMN campaign_id text REFERENCES meta_campaigns (id);
ALTER TABLE meta_ad_sets ADD COLUMN idempotency_key text UNIQUE;

CREATE TABLE meta_ads (
  id text PRIMARY KEY,
  idempotency_key text NOT NULL UNIQUE,
  ad_account_id text NOT NULL,
  ad_set_id text NOT NULL,
  name text NOT NULL,
  creative jsonb NOT NULL DEFAULT '{}',
  status text NOT NULL CHECK (status IN ('ACTIVE', 'PAUSED')),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX meta_ads_ad_set_idx ON meta_ads (ad_set_id);

-- The jitter the queue gave a change, in platform seconds.
ALTER TABLE pending_ad_changes ADD COLUMN jitter_seconds double precision CHECK (jitter_seconds >= 0);
-- The executor's rules at execution: requested and applied budget, the velocity range, whether it clipped.
ALTER TABLE ad_change_history ADD COLUMN rules jsonb NOT NULL DEFAULT '{}';

-- Until this migration the executors applied only budget changes, so the creative flow's create_ad changes
-- stayed pending. Executing that backlog now would spend the creative accounts' hourly change limit on runs
-- long over: those rows are closed as rejected, saying why.
UPDATE pending_ad_changes
SET status = 'rejected', last_error = 'queued before the SafeExecutor applied ad creation', updated_at = now()
WHERE change_type = 'create_ad' AND status = 'pending';

-- The GeminiVideo platform schema: fifteen tables with keys, JSONB documents and the indexes their queries use.

CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email text NOT NULL UNIQUE,
  name text NOT NULL,
  role text NOT NULL DEFAULT 'marketer' CHECK (role IN ('admin', 'marketer', 'viewer')),
  settings jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE campaigns (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  ad_account_id text NOT NULL,
  name text NOT NULL,
  status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'active', 'paused', 'archived')),
  daily_budget numeric(14, 2) NOT NULL DEFAULT 0 CHECK (daily_budget >= 0),
  targeting jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX campaigns_user_id_idx ON campaigns (user_id);
CREATE INDEX campaigns_ad_account_id_idx ON campaigns (ad_account_id);

CREATE TABLE videos (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  idempotency_key text NOT NULL UNIQUE,
  campaign_id uuid REFERENCES campaigns (id) ON DELETE SET NULL,
  source_url text NOT NULL,
  kind text NOT NULL DEFAULT 'source' CHECK (kind IN ('source', 'rendered')),
  status text NOT NULL DEFAULT 'uploaded' CHECK (status IN ('uploaded', 'analyzed', 'rendered', 'failed')),
  duration_seconds numeric(8, 2) NOT NULL CHECK (duration_seconds > 0),
  scenes jsonb NOT NULL DEFAULT '[]',
  features jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX videos_campaign_id_idx ON videos (campaign_id);
CREATE INDEX videos_features_gin ON videos USING gin (features jsonb_path_ops);

CREATE TABLE blueprints (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  idempotency_key text NOT NULL UNIQUE,
  campaign_id uuid REFERENCES campaigns (id) ON DELETE SET NULL,
  video_id uuid REFERENCES videos (id) ON DELETE SET NULL,
  brief jsonb NOT NULL DEFAULT '{}',
  verdict text NOT NULL DEFAULT 'pending' CHECK (verdict IN ('pending', 'approved', 'rejected')),
  council_votes jsonb NOT NULL DEFAULT '[]',
  score double precision,
  created_at timestamptz NOT NULL DEFAULT now(),
  decided_at timestamptz
);
CREATE INDEX blueprints_campaign_id_idx ON blueprints (campaign_id);
CREATE INDEX blueprints_video_id_idx ON blueprints (video_id);

CREATE TABLE render_jobs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  idempotency_key text NOT NULL UNIQUE,
  blueprint_id uuid NOT NULL REFERENCES blueprints (id) ON DELETE CASCADE,
  source_video_id uuid REFERENCES videos (id) ON DELETE SET NULL,
  output_video_id uuid REFERENCES videos (id) ON DELETE SET NULL,
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'rendering', 'completed', 'failed')),
  progress real NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 1),
  transitions jsonb NOT NULL DEFAULT '[]',
  spec jsonb NOT NULL DEFAULT '{}',
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  completed_at timestamptz
);
CREATE INDEX render_jobs_blueprint_id_idx ON render_jobs (blueprint_id);
CREATE INDEX render_jobs_active_idx ON render_jobs (created_at) WHERE status IN ('queued', 'rendering');

CREATE TABLE predictions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  idempotency_key text NOT NULL UNIQUE,
  video_id uuid REFERENCES videos (id) ON DELETE CASCADE,
  ad_id text,
  model_version text NOT NULL,
  predicted_ctr double precision NOT NULL CHECK (predicted_ctr BETWEEN 0 AND 1),
  features jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX predictions_video_id_idx ON predictions (video_id);
CREATE INDEX predictions_ad_id_idx ON predictions (ad_id);
CREATE INDEX predictions_model_version_idx ON predictions (model_version, created_at);

CREATE TABLE performance_metrics (
  id bigserial PRIMARY KEY,
  ad_id text NOT NULL,
  campaign_id uuid REFERENCES campaigns (id) ON DELETE CASCADE,
  source text NOT NULL CHECK (source IN ('meta', 'hubspot')),
  window_start timestamptz NOT NULL,
  window_end timestamptz NOT NULL,
  impressions bigint NOT NULL DEFAULT 0 CHECK (impressions >= 0),
  clicks bigint NOT NULL DEFAULT 0 CHECK (clicks >= 0),
  spend numeric(14, 2) NOT NULL DEFAULT 0,
  conversions integer NOT NULL DEFAULT 0,
  revenue numeric(14, 2) NOT NULL DEFAULT 0,
  raw jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (ad_id, source, window_start)
);
CREATE INDEX performance_metrics_campaign_id_idx ON performance_metrics (campaign_id);

CREATE TABLE pending_ad_changes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  idempotency_key text NOT NULL UNIQUE,
  ad_account_id text NOT NULL,
  campaign_id uuid REFERENCES campaigns (id) ON DELETE SET NULL,
  ad_set_id text NOT NULL,
  change_type text NOT NULL CHECK (change_type IN ('create_ad', 'budget_update', 'status_update', 'creative_swap')),
  payload jsonb NOT NULL,
  status text NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'claimed', 'executed', 'rejected', 'dead_letter')),
  attempts integer NOT NULL DEFAULT 0,
  last_error text,
  claimed_by text,
  lease_expires_at timestamptz,
  earliest_execute_at timestamptz NOT NULL DEFAULT now(),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  executed_at timestamptz
);
-- What an executor's claim query scans: only claimable rows, oldest due first.
CREATE INDEX pending_ad_changes_claim_idx ON pending_ad_changes (earliest_execute_at, created_at)
  WHERE status = 'pending';
CREATE INDEX pending_ad_changes_lease_idx ON pending_ad_changes (lease_expires_at) WHERE status = 'claimed';
CREATE INDEX pending_ad_changes_account_idx ON pending_ad_changes (ad_account_id, status);

CREATE TABLE ad_change_history (
  id bigserial PRIMARY KEY,
  change_id uuid NOT NULL UNIQUE REFERENCES pending_ad_changes (id) ON DELETE CASCADE,
  ad_account_id text NOT NULL,
  ad_set_id text NOT NULL,
  change_type text NOT NULL,
  old_value jsonb,
  new_value jsonb NOT NULL,
  meta_response jsonb NOT NULL DEFAULT '{}',
  executed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ad_change_history_account_time_idx ON ad_change_history (ad_account_id, executed_at);
CREATE INDEX ad_change_history_ad_set_time_idx ON ad_change_history (ad_set_id, executed_at);

CREATE TABLE creative_dna_extractions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  video_id uuid NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
  dna jsonb NOT NULL,
  embedding double precision[] NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (video_id)
);
CREATE INDEX creative_dna_extractions_dna_gin ON creative_dna_extractions USING gin (dna jsonb_path_ops);

CREATE TABLE semantic_cache_entries (
  id bigserial PRIMARY KEY,
  query_hash text NOT NULL UNIQUE,
  query text NOT NULL,
  result jsonb NOT NULL,
  hits integer NOT NULL DEFAULT 0,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX semantic_cache_entries_expires_idx ON semantic_cache_entries (expires_at);

CREATE TABLE learning_cycles (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  idempotency_key text NOT NULL UNIQUE,
  cycle_number integer NOT NULL CHECK (cycle_number >= 0),
  model_version text NOT NULL,
  status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'completed', 'failed')),
  metrics jsonb NOT NULL DEFAULT '{}',
  started_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz
);
CREATE INDEX learning_cycles_model_version_idx ON learning_cycles (model_version);

CREATE TABLE feedback_events (
  id bigserial PRIMARY KEY,
  source text NOT NULL CHECK (source IN ('meta', 'hubspot')),
  -- Deduplication key: HubSpot's eventId alone is not promised unique, so it is combined with more fields.
  event_key text NOT NULL,
  ad_id text,
  payload jsonb NOT NULL,
  occurred_at timestamptz NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (source, event_key)
);
CREATE INDEX feedback_events_ad_id_idx ON feedback_events (ad_id, occurred_at);

CREATE TABLE winning_patterns (
  id bigserial PRIMARY KEY,
  ad_account_id text NOT NULL,
  pattern_key text NOT NULL,
  features jsonb NOT NULL,
  lift double precision NOT NULL,
  support integer NOT NULL CHECK (support > 0),
  learning_cycle_id uuid REFERENCES learning_cycles (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (ad_account_id, pattern_key)
);
CREATE INDEX winning_patterns_features_gin ON winning_patterns USING gin (features jsonb_path_ops);

CREATE TABLE cross_account_patterns (
  id bigserial PRIMARY KEY,
  pattern_key text NOT NULL UNIQUE,
  account_count integer NOT NULL CHECK (account_count > 0),
  pattern jsonb NOT NULL,
  confidence double precision NOT NULL CHECK (confidence BETWEEN 0 AND 1),
  updated_at timestamptz NOT NULL DEFAULT now()
);

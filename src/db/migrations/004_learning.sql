-- The self-learning cycle: versioned CTR models and the promotion decisions, each written once per cycle step.
CREATE TABLE ml_models (
  version text PRIMARY KEY,
  idempotency_key text NOT NULL UNIQUE,
  parent_version text NOT NULL,
  model jsonb NOT NULL,
  trained_rows integer NOT NULL CHECK (trained_rows >= 0),
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX ml_models_created_idx ON ml_models (created_at DESC);

CREATE TABLE promotions (
  id bigserial PRIMARY KEY,
  idempotency_key text NOT NULL UNIQUE,
  cycle_number integer NOT NULL,
  ad_set_id text NOT NULL,
  ad_id text NOT NULL,
  decision text NOT NULL CHECK (decision IN ('promote', 'hold')),
  probability_best double precision NOT NULL,
  reason text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX promotions_cycle_idx ON promotions (cycle_number);

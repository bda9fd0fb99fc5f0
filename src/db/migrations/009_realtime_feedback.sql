-- Real-time feedback: each ad's posterior (clicks over impressions, deals over clicks, revenue), updated as
-- feedback events are processed; each event records when it reached the model.

ALTER TABLE feedback_events ADD COLUMN flow_key text;
ALTER TABLE feedback_events ADD COLUMN processed_at timestamptz;
ALTER TABLE feedback_events ADD COLUMN model_version bigint;
CREATE INDEX feedback_events_flow_key_idx ON feedback_events (flow_key) WHERE flow_key IS NOT NULL;

CREATE TABLE ad_posteriors (
  ad_id text PRIMARY KEY,
  ad_set_id text NOT NULL,
  impressions bigint NOT NULL DEFAULT 0 CHECK (impressions >= 0),
  clicks bigint NOT NULL DEFAULT 0 CHECK (clicks >= 0),
  conversions bigint NOT NULL DEFAULT 0 CHECK (conversions >= 0),
  revenue numeric(14, 2) NOT NULL DEFAULT 0,
  version bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX ad_posteriors_ad_set_idx ON ad_posteriors (ad_set_id);

-- The version counter of the feedback model: one step per processed batch.
CREATE SEQUENCE feedback_model_version;

-- The joined signal per ad of one flow (Meta clicks with HubSpot deals), applied to the posterior once.
CREATE TABLE feedback_signals (
  id bigserial PRIMARY KEY,
  idempotency_key text NOT NULL UNIQUE,
  flow_key text NOT NULL,
  ad_id text NOT NULL,
  ad_set_id text NOT NULL,
  impressions bigint NOT NULL,
  clicks bigint NOT NULL,
  conversions integer NOT NULL,
  revenue numeric(14, 2) NOT NULL,
  applied_at timestamptz,
  model_version bigint,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX feedback_signals_flow_idx ON feedback_signals (flow_key);

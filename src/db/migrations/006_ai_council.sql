-- The AI Council: one row per titan's vote on a battle plan, and Veo generation jobs that finish on their own.
CREATE TABLE council_votes (
  id bigserial PRIMARY KEY,
  blueprint_id uuid NOT NULL REFERENCES blueprints (id) ON DELETE CASCADE,
  evaluator text NOT NULL,
  score double precision NOT NULL CHECK (score BETWEEN 0 AND 1),
  approve boolean NOT NULL,
  reason text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (blueprint_id, evaluator)
);

CREATE TABLE veo_jobs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  idempotency_key text NOT NULL UNIQUE,
  blueprint_id uuid NOT NULL REFERENCES blueprints (id) ON DELETE CASCADE,
  prompt text NOT NULL,
  duration_seconds numeric(8, 2) NOT NULL CHECK (duration_seconds > 0),
  status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'completed', 'failed')),
  started_at timestamptz NOT NULL DEFAULT now(),
  -- Generation time in platform time, already scaled to real time when the job started.
  completes_at timestamptz NOT NULL,
  completed_at timestamptz,
  video_id uuid REFERENCES videos (id) ON DELETE SET NULL,
  status_checks integer NOT NULL DEFAULT 0
);
CREATE INDEX veo_jobs_blueprint_id_idx ON veo_jobs (blueprint_id);
CREATE INDEX veo_jobs_running_idx ON veo_jobs (completes_at) WHERE status = 'running';

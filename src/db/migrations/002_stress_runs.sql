-- The simulator's own table: one row per stress run, holding its parameters and final standard result.
CREATE TABLE stress_runs (
  run_id text PRIMARY KEY,
  flow text NOT NULL,
  params jsonb NOT NULL,
  result jsonb NOT NULL,
  success_rate double precision NOT NULL,
  started_at timestamptz NOT NULL,
  finished_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stress_runs_flow_idx ON stress_runs (flow, finished_at DESC);

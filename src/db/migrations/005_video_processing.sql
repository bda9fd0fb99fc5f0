-- Video processing: a render job may edit footage without a council blueprint (the Pro modules run on their own),
-- and long modules render in segments, each recorded once so a resumed attempt skips finished work.
ALTER TABLE render_jobs ALTER COLUMN blueprint_id DROP NOT NULL;

CREATE TABLE render_segments (
  render_job_id uuid NOT NULL REFERENCES render_jobs (id) ON DELETE CASCADE,
  module text NOT NULL,
  segment integer NOT NULL CHECK (segment >= 0),
  -- The caller's attempt that first asked for this segment, and where that attempt started.
  attempt integer NOT NULL CHECK (attempt >= 1),
  resumed_from integer NOT NULL CHECK (resumed_from >= 0),
  -- Every call for the segment, and the calls that really did the work (a repeat answers from the row).
  requests integer NOT NULL DEFAULT 1 CHECK (requests >= 1),
  processings integer NOT NULL DEFAULT 1 CHECK (processings >= 1),
  output jsonb NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (render_job_id, module, segment)
);

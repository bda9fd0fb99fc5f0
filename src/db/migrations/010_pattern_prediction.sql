-- The pattern predictor's answers: the question, the answer (predictions and suggested edits), and how much
-- evidence it had. One row per flow step (idempotency key).
CREATE TABLE pattern_predictions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  idempotency_key text NOT NULL UNIQUE,
  question jsonb NOT NULL CHECK (question ? 'kind'),
  answer jsonb NOT NULL,
  answerable boolean NOT NULL,
  evidence_rows integer NOT NULL CHECK (evidence_rows >= 0),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pattern_predictions_kind_idx ON pattern_predictions ((question ->> 'kind'));

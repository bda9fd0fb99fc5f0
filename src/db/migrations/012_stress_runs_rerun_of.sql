-- A re-run (`npm run rerun <run-id>`) is stored as a run of its own, naming the run whose failed flows it re-ran.
-- No foreign key: the original's own row may be missing (its store failed), and the re-run is still worth keeping.
ALTER TABLE stress_runs ADD COLUMN rerun_of text;
CREATE INDEX stress_runs_rerun_of_idx ON stress_runs (rerun_of) WHERE rerun_of IS NOT NULL;

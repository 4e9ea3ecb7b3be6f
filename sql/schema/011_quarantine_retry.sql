-- Retrying quarantined inputs (flows/pipeline.py): which pipeline version quarantined an
-- input, and which version last read it again. An input quarantined by another version
-- than the running one is read again once; `newsetl run --retry-quarantined` reads all.
ALTER TABLE quarantine ADD COLUMN pipeline_version VARCHAR;   -- of the run that last quarantined it
ALTER TABLE quarantine ADD COLUMN retried_with VARCHAR;       -- pipeline version of the last run that read it again
ALTER TABLE quarantine ADD COLUMN retried_at TIMESTAMPTZ;     -- when; the input failed again if last_seen is later

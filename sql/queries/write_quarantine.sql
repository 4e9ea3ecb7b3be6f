-- Record quarantined inputs, registered as batch_quarantine. An input quarantined again
-- (same source_uri, stage and content) updates its row instead of adding one.
UPDATE quarantine AS q
SET error = b.error, detail = b.detail, last_seen = b.seen_at, times_seen = q.times_seen + 1, run_id = b.run_id
FROM batch_quarantine AS b
WHERE q.source_uri = b.source_uri AND q.stage = b.stage AND q.content_hash IS NOT DISTINCT FROM b.content_hash;

INSERT INTO quarantine (source_uri, stage, error, detail, doc_id, content_hash, first_seen, last_seen, times_seen, run_id)
SELECT b.source_uri, b.stage, b.error, b.detail, b.doc_id, b.content_hash, b.seen_at, b.seen_at, 1, b.run_id
FROM batch_quarantine AS b
WHERE NOT EXISTS (
    SELECT 1 FROM quarantine AS q
    WHERE q.source_uri = b.source_uri AND q.stage = b.stage AND q.content_hash IS NOT DISTINCT FROM b.content_hash
);

-- Inputs of a run (registered as run_uris(uri)) that have an open quarantine row to
-- retry: quarantined by another pipeline version than $version and not yet read again by
-- this one, or any open row when $retry_all. A row is open until a run reads its input
-- again without quarantining it (retried_at set, last_seen not after it). Rows of the
-- records of a JSONL/CSV/WARC file (source_uri 'path#...') belong to the file.
SELECT DISTINCT u.uri
FROM run_uris AS u
JOIN quarantine AS q ON q.source_uri = u.uri OR starts_with(q.source_uri, u.uri || '#')
WHERE (q.retried_at IS NULL OR q.last_seen > q.retried_at)
  AND ($retry_all OR (q.pipeline_version IS DISTINCT FROM $version AND q.retried_with IS DISTINCT FROM $version))
ORDER BY u.uri;

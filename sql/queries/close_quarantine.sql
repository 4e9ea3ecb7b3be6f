-- At the end of a completed run $run_id of pipeline version $version: stamp the rows it
-- quarantined with the version, and mark as retried the rows of the inputs it read again
-- (registered as run_uris(uri)) that it did not quarantine again.
UPDATE quarantine SET pipeline_version = $version WHERE run_id = $run_id;
UPDATE quarantine AS q SET retried_with = $version, retried_at = $now
FROM run_uris AS u
WHERE (q.source_uri = u.uri OR starts_with(q.source_uri, u.uri || '#'))
  AND q.run_id IS DISTINCT FROM $run_id;

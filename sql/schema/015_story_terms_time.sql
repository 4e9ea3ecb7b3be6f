-- Each story_terms row carries its article's times, so that a batch's story lookup reads only
-- the stretch of the index its time window can reach: rows are appended batch by batch in
-- fetch order, and DuckDB skips the row groups whose min/max times lie outside the window
-- (sql/queries/story_candidates.sql). At bench/pipeline_growth.py's 100k archive (2.97M rows,
-- 25 row groups) a 28-day window reads 3 row groups: 4-6 ms against 28-39 ms for all of them.
-- seen_at: coalesce(published_at, fetched_at); fetched_at: the article's. Written with the
-- article (write_batch.sql, write_dedup.sql), and an article's times change only when it is
-- written again, so they never go stale.
ALTER TABLE story_terms ADD COLUMN seen_at TIMESTAMPTZ;
ALTER TABLE story_terms ADD COLUMN fetched_at TIMESTAMPTZ;
UPDATE story_terms AS t SET seen_at = coalesce(a.published_at, a.fetched_at), fetched_at = a.fetched_at
FROM articles AS a WHERE a.doc_id = t.doc_id;

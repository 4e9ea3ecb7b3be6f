-- Stored articles that share an LSH band key with a batch article (registered as
-- batch_keys(band, key)), one row per article with the keys it shares (bands[i], keys[i]:
-- one row per key shared had each article's six timestamps converted to Python once per
-- key, ~3,000 rows a batch on synd_dev's syndicated copies), with the time of each one's story: its
-- dated members' span, its undated members' earliest fetch and its members' first and last
-- fetch (a copy joins its original's story only within the story's window; tasks/dedup.py
-- story_time), its rowid, its copy sketch and its shingle count.
-- Not its clean_text: candidates are spread over the whole archive, and reading one text
-- decompresses the whole stored vector that holds it (~5 ms a row at bench/pipeline_growth.py's
-- 100k). tasks/store.py reads, with candidate_texts.sql, only the texts of the candidates
-- whose sketch leaves a copy possible (tasks/copy_sketch.py); NULL sketches (rows stored before
-- migration 014) are always read. The candidates' rows are found by doc_id reading only that
-- column, then read by rowid, for the same reason.
-- The band rows are found by a semi-join on the key alone, then on (band, key): every stored
-- band row is hashed on one BIGINT instead of two columns. Against the 9.6M band rows of
-- bench/pipeline_growth.py's 100k archive and ~19,000 keys of a batch: 0.058 -> 0.035 s, the
-- same rows (the scan is linear in the archive; this halves what each row costs).
WITH found AS (
    SELECT DISTINCT b.band, b.key, b.doc_id
    FROM minhash_bands AS b
    WHERE b.key IN (SELECT key FROM batch_keys)
      AND (b.band, b.key) IN (SELECT band, key FROM batch_keys)
      AND b.doc_id NOT IN (SELECT doc_id FROM batch_doc_ids)
), found_rows AS (
    SELECT rowid AS row_id FROM articles WHERE doc_id IN (SELECT doc_id FROM found)
), spans AS (
    SELECT story_id, min(published_at) AS first_seen, max(published_at) AS last_seen,
           min(fetched_at) FILTER (WHERE published_at IS NULL) AS undated_until,
           min(fetched_at) AS fetched_first, max(fetched_at) AS fetched_last
    FROM articles
    WHERE is_article
      AND story_id IN (SELECT story_id FROM articles WHERE rowid IN (SELECT row_id FROM found_rows))
      AND doc_id NOT IN (SELECT doc_id FROM batch_doc_ids)
    GROUP BY story_id
), candidates AS (
    SELECT rowid AS row_id, doc_id, dup_group, story_id, language, coalesce(published_at, fetched_at) AS seen_at,
           copy_sketch, n_shingles
    FROM articles
    WHERE rowid IN (SELECT row_id FROM found_rows)
), found_keys AS (
    SELECT doc_id, list(band ORDER BY band, key) AS bands, list(key ORDER BY band, key) AS keys
    FROM found
    GROUP BY doc_id
)
SELECT k.bands, k.keys, c.doc_id, c.dup_group, c.story_id, c.language, c.seen_at,
       s.first_seen, s.last_seen, s.undated_until, s.fetched_first, s.fetched_last,
       c.row_id, c.copy_sketch, c.n_shingles
FROM found_keys AS k
JOIN candidates AS c USING (doc_id)
LEFT JOIN spans AS s USING (story_id)
ORDER BY c.doc_id;

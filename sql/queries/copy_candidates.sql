-- Stored articles that share an LSH band key with a batch article (registered as
-- batch_keys(band, key)), with what dedup needs to verify them, and the time of each one's
-- story: its dated members' span, its undated members' earliest fetch and its members' first
-- and last fetch (a copy joins its original's story only within the story's window;
-- tasks/dedup.py story_time).
WITH found AS (
    SELECT DISTINCT b.band, b.key, a.doc_id, a.dup_group, a.story_id, a.clean_text, a.language,
           coalesce(a.published_at, a.fetched_at) AS seen_at
    FROM batch_keys AS k
    JOIN minhash_bands AS b ON b.band = k.band AND b.key = k.key
    JOIN articles AS a ON a.doc_id = b.doc_id
    WHERE a.doc_id NOT IN (SELECT doc_id FROM batch_doc_ids)
), spans AS (
    SELECT story_id, min(published_at) AS first_seen, max(published_at) AS last_seen,
           min(fetched_at) FILTER (WHERE published_at IS NULL) AS undated_until,
           min(fetched_at) AS fetched_first, max(fetched_at) AS fetched_last
    FROM articles
    WHERE is_article AND story_id IN (SELECT story_id FROM found) AND doc_id NOT IN (SELECT doc_id FROM batch_doc_ids)
    GROUP BY story_id
)
SELECT f.*, s.first_seen, s.last_seen, s.undated_until, s.fetched_first, s.fetched_last
FROM found AS f LEFT JOIN spans AS s USING (story_id);

-- Stored articles that share an LSH band key with a batch article (registered as
-- batch_keys(band, key)), with what dedup needs to verify them.
SELECT DISTINCT b.band, b.key, a.doc_id, a.dup_group, a.story_id, a.clean_text, a.language,
       coalesce(a.published_at, a.fetched_at) AS seen_at
FROM batch_keys AS k
JOIN minhash_bands AS b ON b.band = k.band AND b.key = k.key
JOIN articles AS a ON a.doc_id = b.doc_id
WHERE a.doc_id NOT IN (SELECT doc_id FROM batch_doc_ids);

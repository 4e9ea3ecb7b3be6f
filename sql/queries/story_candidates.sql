-- Stored content articles seen between $since and $until that share at least $min_shared
-- of the batch's top terms (registered as batch_terms(term)): the stories a batch is
-- compared with. Best-sharing first, at most $limit.
SELECT a.doc_id, a.dup_group, a.story_id, a.clean_text, a.language, coalesce(a.published_at, a.fetched_at) AS seen_at
FROM (
    SELECT t.doc_id, count(*) AS shared
    FROM story_terms AS t
    JOIN batch_terms AS b ON b.term = t.term
    GROUP BY t.doc_id
    HAVING count(*) >= $min_shared
) AS c
JOIN articles AS a USING (doc_id)
WHERE a.is_article
  AND coalesce(a.published_at, a.fetched_at) BETWEEN $since AND $until
  AND a.doc_id NOT IN (SELECT doc_id FROM batch_doc_ids)
ORDER BY c.shared DESC, a.doc_id
LIMIT $limit;

-- Story candidates for a batch: for each batch article, the $per_article stored content
-- articles seen between $since and $until that share the most of its top terms (at least
-- $min_shared). batch_terms(doc_id, term) holds each batch article's top terms.
-- With each: its entity names of the kinds in $kinds (one per mention, for the name
-- similarity) and the time of its whole story: first and last publication date of its dated
-- members (the span; the window stays anchored on its first article) and the earliest fetch
-- time of its undated members (they were published by then; tasks/dedup.py story_time). Each name comes as [canonical,
-- entity_id], so the stored side keys it exactly as tasks/dedup.py name_counts keys the batch
-- (the entity id when there is one: Kyiv/Kiew/Київ are one place).
WITH shared AS (
    SELECT b.doc_id AS batch_doc, t.doc_id, count(*) AS shared
    FROM batch_terms AS b
    JOIN story_terms AS t ON t.term = b.term
    WHERE t.doc_id NOT IN (SELECT doc_id FROM batch_doc_ids)
    GROUP BY b.doc_id, t.doc_id
    HAVING count(*) >= $min_shared
), ranked AS (
    SELECT s.doc_id
    FROM shared AS s
    JOIN articles AS a USING (doc_id)
    WHERE a.is_article AND coalesce(a.published_at, a.fetched_at) BETWEEN $since AND $until
    QUALIFY row_number() OVER (PARTITION BY s.batch_doc ORDER BY s.shared DESC, s.doc_id) <= $per_article
), names AS (
    SELECT doc_id, list([canonical, entity_id] ORDER BY start_char, canonical) AS names
    FROM entities
    WHERE doc_id IN (SELECT doc_id FROM ranked) AND kind IN (SELECT unnest($kinds))
    GROUP BY doc_id
), spans AS (
    SELECT story_id, min(published_at) AS first_seen, max(published_at) AS last_seen,
           min(fetched_at) FILTER (WHERE published_at IS NULL) AS undated_until
    FROM articles
    WHERE is_article
      AND story_id IN (SELECT story_id FROM articles WHERE doc_id IN (SELECT doc_id FROM ranked))
      AND doc_id NOT IN (SELECT doc_id FROM batch_doc_ids)
    GROUP BY story_id
)
SELECT a.doc_id, a.dup_group, a.story_id, a.clean_text, a.language, coalesce(a.published_at, a.fetched_at) AS seen_at,
       coalesce(n.names, []) AS names, s.first_seen, s.last_seen, s.undated_until
FROM articles AS a
LEFT JOIN names AS n USING (doc_id)
LEFT JOIN spans AS s USING (story_id)
WHERE a.doc_id IN (SELECT doc_id FROM ranked)
ORDER BY a.doc_id;

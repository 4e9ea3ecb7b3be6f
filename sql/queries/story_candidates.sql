-- Story candidates for a batch: for each batch article, the $per_article stored content
-- articles seen between $since and $until that share the most of its top terms (at least
-- $min_shared). batch_terms(doc_id, term) holds each batch article's top terms.
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
)
SELECT a.doc_id, a.dup_group, a.story_id, a.clean_text, a.language, coalesce(a.published_at, a.fetched_at) AS seen_at
FROM articles AS a
WHERE a.doc_id IN (SELECT doc_id FROM ranked)
ORDER BY a.doc_id;

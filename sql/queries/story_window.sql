-- Stored content articles seen between $since and $until: the pool a batch's articles
-- are compared with for story assignment.
SELECT doc_id, dup_group, story_id, clean_text, language, coalesce(published_at, fetched_at) AS seen_at
FROM articles
WHERE is_article
  AND coalesce(published_at, fetched_at) BETWEEN $since AND $until
  AND doc_id NOT IN (SELECT doc_id FROM batch_doc_ids)
ORDER BY seen_at, doc_id;

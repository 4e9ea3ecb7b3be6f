-- Stored content articles whose normalised-text hash is one of the batch's ($hashes),
-- earliest first: the exact copies a batch article joins.
SELECT text_hash, doc_id, dup_group
FROM articles
WHERE is_article
  AND text_hash IN (SELECT unnest($hashes))
  AND doc_id NOT IN (SELECT doc_id FROM batch_doc_ids)
ORDER BY coalesce(published_at, fetched_at), doc_id;

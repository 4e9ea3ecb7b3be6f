-- For per-source chrome learning: on how many stored pages of its source each line key of
-- the batch (registered as batch_lines(source, key)) occurs. Pages of the batch itself
-- (batch_doc_ids) do not count: the batch counts them itself.
SELECT p.source, p.key, count(DISTINCT p.doc_id) AS pages
FROM page_lines AS p
JOIN batch_lines AS b ON b.source = p.source AND b.key = p.key
WHERE p.doc_id NOT IN (SELECT doc_id FROM batch_doc_ids)
GROUP BY p.source, p.key;

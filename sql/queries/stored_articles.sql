-- The stored articles registered in wanted(doc_id), with what dedup reads (`newsetl restory`).
SELECT doc_id, source_uri, source, url, title, published_at, fetched_at, input_format, language,
       raw_text, clean_text, content_hash, is_article, not_article_reason, ner_model, versions
FROM articles
WHERE doc_id IN (SELECT doc_id FROM wanted);

-- The entities of the stored articles registered in wanted(doc_id), in text order (`newsetl restory`).
SELECT doc_id, text, label, start_char, end_char, canonical, coalesce(kind, 'other') AS kind
FROM entities
WHERE doc_id IN (SELECT doc_id FROM wanted)
ORDER BY doc_id, start_char, end_char;

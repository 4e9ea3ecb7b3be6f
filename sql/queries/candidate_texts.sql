-- The clean_text of the copy candidates whose sketch leaves a copy possible, by rowid
-- ($rows, from copy_candidates.sql in the same read-only connection, so the same rows).
SELECT rowid, clean_text FROM articles WHERE rowid IN (SELECT unnest($rows::BIGINT[]));

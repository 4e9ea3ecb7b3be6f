-- The clean_text of stored rows by rowid ($rows, from copy_candidates.sql or
-- story_candidates.sql in the same read-only connection, so the same rows): the copy
-- candidates whose sketch leaves a copy possible, and story candidates stored without term
-- counts.
SELECT rowid, clean_text FROM articles WHERE rowid IN (SELECT unnest($rows::BIGINT[]));

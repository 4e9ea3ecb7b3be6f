-- Metadata you can trust (tasks/metadata): where `source` came from, the site's name, how
-- precise `published_at` is, and the people who wrote the article.
--   source_from: 'input' (JSONL/CSV `source`), 'sources_file' (a [[source]] name), 'url' (the
--     registrable domain of `url`), 'feed' (a fetched page's feed title or sources-file name) or 'folder' (the folder or file
--     name: the last resort, no URL known).
--   published_precision: 'day', 'month' or 'year' (then published_at is the first day of that
--     month or year, never a day the page did not name); NULL when published_at is NULL.
--   authors: people only; agencies, desks and the site itself go to `attribution`.
-- Rows stored before this migration keep NULLs in all four: their source and date were not
-- told apart this way (a re-run with --full-refresh fills them).
ALTER TABLE articles ADD COLUMN source_from VARCHAR;
ALTER TABLE articles ADD COLUMN site_name VARCHAR;
ALTER TABLE articles ADD COLUMN published_precision VARCHAR;
ALTER TABLE articles ADD COLUMN authors VARCHAR[];

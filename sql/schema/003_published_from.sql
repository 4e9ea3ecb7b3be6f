-- Where published_at came from: 'input' (JSONL field), 'html_metadata' (page metadata via
-- trafilatura/htmldate) or 'dateline' (a date line above the body). NULL: no date known;
-- published_at is then NULL too, never the fetch time.
ALTER TABLE articles ADD COLUMN published_from VARCHAR;

-- What ingest changed or dropped in a record instead of rejecting it, e.g.
-- "published_at 0001-01-01T00:00:00+00:00 outside 1900..tomorrow, dropped" (the date is
-- then NULL). Several notes are joined with '; '. NULL: the record was taken as it came.
ALTER TABLE articles ADD COLUMN notes VARCHAR;

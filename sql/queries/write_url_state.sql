-- Remember the validators and body hash of fetched URLs (registered as batch_url_state).
INSERT INTO url_state (url, etag, last_modified, content_hash, first_seen, last_seen)
SELECT url, etag, last_modified, content_hash, seen_at, seen_at FROM batch_url_state
ON CONFLICT (url) DO UPDATE SET
    etag = excluded.etag, last_modified = excluded.last_modified,
    content_hash = excluded.content_hash, last_seen = excluded.last_seen;

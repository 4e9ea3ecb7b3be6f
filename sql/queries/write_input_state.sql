-- Remember inputs as processed (registered as batch_input_state).
INSERT INTO input_state (uri, etag, last_modified, content_hash, size, mtime_ns, first_seen, last_seen)
SELECT uri, etag, last_modified, content_hash, size, mtime_ns, seen_at, seen_at FROM batch_input_state
ON CONFLICT (uri) DO UPDATE SET
    etag = excluded.etag, last_modified = excluded.last_modified, content_hash = excluded.content_hash,
    size = excluded.size, mtime_ns = excluded.mtime_ns, last_seen = excluded.last_seen;

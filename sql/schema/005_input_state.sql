-- What was seen at each input (file path, feed or page URL): what "only new or changed"
-- is decided on. Files: size and modification time (an unchanged file is not read
-- again). URLs: validators for conditional GET (an unchanged feed costs one 304).
CREATE TABLE input_state (
    uri            VARCHAR PRIMARY KEY,
    etag           VARCHAR,
    last_modified  VARCHAR,
    content_hash   VARCHAR,
    size           BIGINT,
    mtime_ns       BIGINT,
    first_seen     TIMESTAMPTZ,
    last_seen      TIMESTAMPTZ
);

-- What was seen at each fetched URL (feeds and pages): validators for conditional GET
-- (an unchanged feed then costs one 304) and the hash of the last body.
CREATE TABLE url_state (
    url            VARCHAR PRIMARY KEY,
    etag           VARCHAR,
    last_modified  VARCHAR,
    content_hash   VARCHAR,
    first_seen     TIMESTAMPTZ,
    last_seen      TIMESTAMPTZ
);

-- newsetl schema, version 1. Applied once by tasks/store.py (see schema_migrations).
-- Column meanings are documented in sql/README.md.

CREATE TABLE articles (
    doc_id              VARCHAR PRIMARY KEY,   -- stable id: hash of source_uri
    source_uri          VARCHAR NOT NULL,      -- file path, path#id / path#Lnnn for JSONL, or URL
    source              VARCHAR,               -- site, feed or folder name
    url                 VARCHAR,
    title               VARCHAR,
    byline              VARCHAR,
    attribution         VARCHAR,               -- wire service or credit line (Reuters, AP, ...)
    published_at        TIMESTAMPTZ,
    fetched_at          TIMESTAMPTZ,
    input_format        VARCHAR,               -- 'text' or 'html'
    language            VARCHAR,               -- ISO 639-1, 'und' when undetermined
    language_score      DOUBLE,
    raw_text            VARCHAR USING COMPRESSION zstd,  -- exactly as ingested
    clean_text          VARCHAR USING COMPRESSION zstd,
    content_hash        VARCHAR,               -- sha256 of the raw input: "has it changed?"
    text_hash           VARCHAR,               -- sha1 of the normalised clean text: exact copies
    is_article          BOOLEAN,
    not_article_reason  VARCHAR,
    n_removed_lines     INTEGER,
    n_entities          INTEGER,
    ner_model           VARCHAR,               -- NULL when no model serves the language
    dup_group           VARCHAR,               -- doc_id of the copy group's canonical article
    dup_method          VARCHAR,
    dup_score           DOUBLE,
    story_id            VARCHAR,               -- doc_id of the story's canonical article
    story_score         DOUBLE,
    versions            JSON,                  -- stage and model versions that produced the row
    run_id              VARCHAR,
    stored_at           TIMESTAMPTZ
);

CREATE TABLE removed_lines (
    doc_id   VARCHAR NOT NULL,
    line_no  INTEGER NOT NULL,
    text     VARCHAR USING COMPRESSION zstd,
    reason   VARCHAR NOT NULL,
    run_id   VARCHAR
);

CREATE TABLE entities (
    doc_id      VARCHAR NOT NULL,
    text        VARCHAR NOT NULL,
    label       VARCHAR NOT NULL,
    start_char  INTEGER NOT NULL,
    end_char    INTEGER NOT NULL,
    canonical   VARCHAR NOT NULL,
    model       VARCHAR,
    run_id      VARCHAR
);

CREATE TABLE duplicates (
    member     VARCHAR NOT NULL,
    canonical  VARCHAR NOT NULL,
    level      VARCHAR NOT NULL,   -- 'copy' (dup_group) or 'story' (story_id)
    method     VARCHAR NOT NULL,   -- exact | jaccard | containment | tfidf_cosine | copy
    score      DOUBLE,
    run_id     VARCHAR
);

CREATE TABLE minhash_bands (
    doc_id  VARCHAR NOT NULL,
    band    SMALLINT NOT NULL,
    key     BIGINT NOT NULL
);

CREATE TABLE quarantine (
    source_uri    VARCHAR NOT NULL,
    stage         VARCHAR NOT NULL,
    error         VARCHAR NOT NULL,
    detail        VARCHAR,
    doc_id        VARCHAR,
    content_hash  VARCHAR,
    first_seen    TIMESTAMPTZ,
    last_seen     TIMESTAMPTZ,
    times_seen    INTEGER,
    run_id        VARCHAR
);

CREATE TABLE runs (
    run_id              VARCHAR PRIMARY KEY,   -- the Prefect flow-run id
    flow_run_name       VARCHAR,
    started_at          TIMESTAMPTZ,
    finished_at         TIMESTAMPTZ,
    status              VARCHAR,               -- COMPLETED | FAILED
    inputs              VARCHAR[],
    articles_new        INTEGER,
    articles_unchanged  INTEGER,
    quarantined         INTEGER,
    entities            INTEGER,
    error               VARCHAR,
    versions            JSON
);

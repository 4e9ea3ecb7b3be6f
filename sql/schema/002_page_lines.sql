-- Per-source chrome learning: the keys of each stored page's short lines.
-- A line key on many pages of one source is chrome of that source (tasks/source_chrome.py).
CREATE TABLE page_lines (
    doc_id  VARCHAR NOT NULL,
    source  VARCHAR,
    key     VARCHAR NOT NULL   -- 16 hex digits of SHA-1 of the normalised line
);

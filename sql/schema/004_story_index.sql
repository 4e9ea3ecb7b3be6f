-- Story index: each content article's highest TF-IDF terms, and the corpus document
-- frequency of every term (the IDF of story similarity comes from the whole corpus).
CREATE TABLE story_terms (
    doc_id  VARCHAR NOT NULL,
    term    VARCHAR NOT NULL,
    weight  DOUBLE
);

CREATE TABLE term_df (
    term  VARCHAR PRIMARY KEY,
    df    BIGINT NOT NULL   -- stored content articles containing the term
);

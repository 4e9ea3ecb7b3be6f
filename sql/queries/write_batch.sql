-- Replace the rows of a batch of articles. Run inside one transaction by tasks/store.py,
-- with the batch registered as the relations batch_articles, batch_removed_lines,
-- batch_entities, batch_duplicates, batch_minhash_bands, batch_page_lines,
-- batch_story_terms and batch_doc_terms (doc_id, term: each distinct term of an article).
-- term_df counts an article's terms when it is first stored; re-writing it adds nothing
-- (a changed article keeps its first version's counts: see sql/README.md).
INSERT INTO term_df (term, df)
SELECT term, count(*) FROM batch_doc_terms
WHERE doc_id NOT IN (SELECT doc_id FROM articles)
GROUP BY term
ON CONFLICT (term) DO UPDATE SET df = term_df.df + excluded.df;
DELETE FROM removed_lines WHERE doc_id IN (SELECT doc_id FROM batch_articles);
DELETE FROM entities      WHERE doc_id IN (SELECT doc_id FROM batch_articles);
DELETE FROM minhash_bands WHERE doc_id IN (SELECT doc_id FROM batch_articles);
DELETE FROM duplicates    WHERE member IN (SELECT doc_id FROM batch_articles);
DELETE FROM page_lines    WHERE doc_id IN (SELECT doc_id FROM batch_articles);
DELETE FROM story_terms   WHERE doc_id IN (SELECT doc_id FROM batch_articles);
DELETE FROM articles      WHERE doc_id IN (SELECT doc_id FROM batch_articles);
INSERT INTO articles      BY NAME SELECT * FROM batch_articles;
INSERT INTO removed_lines BY NAME SELECT * FROM batch_removed_lines;
INSERT INTO entities      BY NAME SELECT * FROM batch_entities;
INSERT INTO duplicates    BY NAME SELECT * FROM batch_duplicates;
INSERT INTO minhash_bands BY NAME SELECT * FROM batch_minhash_bands;
INSERT INTO page_lines    BY NAME SELECT * FROM batch_page_lines;
INSERT INTO story_terms   BY NAME
SELECT t.*, coalesce(a.published_at, a.fetched_at) AS seen_at, a.fetched_at
FROM batch_story_terms AS t JOIN batch_articles AS a USING (doc_id);

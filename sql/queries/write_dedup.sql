-- Store the dedup decisions of a batch of already stored articles (`newsetl restory`):
-- their copy and story columns, decisions, LSH keys, story index and term counts. Run
-- inside one transaction by tasks/store.py with batch_dedup(doc_id, text_hash, dup_group,
-- dup_method, dup_score, story_id, story_score, versions, term_counts), batch_duplicates,
-- batch_minhash_bands, batch_story_terms and batch_doc_terms registered.
UPDATE articles AS a SET text_hash = b.text_hash, dup_group = b.dup_group, dup_method = b.dup_method,
       dup_score = b.dup_score, story_id = b.story_id, story_score = b.story_score, versions = b.versions,
       term_counts = b.term_counts, copy_sketch = b.copy_sketch, n_shingles = b.n_shingles
FROM batch_dedup AS b WHERE a.doc_id = b.doc_id;
DELETE FROM duplicates    WHERE member IN (SELECT doc_id FROM batch_dedup);
DELETE FROM minhash_bands WHERE doc_id IN (SELECT doc_id FROM batch_dedup);
DELETE FROM story_terms   WHERE doc_id IN (SELECT doc_id FROM batch_dedup);
INSERT INTO duplicates    BY NAME SELECT * FROM batch_duplicates;
INSERT INTO minhash_bands BY NAME SELECT * FROM batch_minhash_bands;
INSERT INTO story_terms   BY NAME
SELECT t.*, coalesce(a.published_at, a.fetched_at) AS seen_at, a.fetched_at
FROM batch_story_terms AS t JOIN articles AS a USING (doc_id);
INSERT INTO term_df (term, df)
SELECT term, count(*) FROM batch_doc_terms GROUP BY term
ON CONFLICT (term) DO UPDATE SET df = term_df.df + excluded.df;

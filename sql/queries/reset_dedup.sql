-- Forget every dedup decision before `newsetl restory` recomputes them: the copy and story
-- columns of articles (NULL dup_group marks "not re-assigned yet"; such articles are
-- neither candidates nor counted in the corpus IDF), the decisions, the LSH keys and the
-- story index. One transaction, run by tasks/store.py.
UPDATE articles SET text_hash = NULL, dup_group = NULL, dup_method = NULL, dup_score = NULL, story_id = NULL, story_score = NULL,
                    term_counts = NULL, copy_sketch = NULL, n_shingles = NULL;
DELETE FROM duplicates;
DELETE FROM minhash_bands;
DELETE FROM story_terms;
DELETE FROM term_df;

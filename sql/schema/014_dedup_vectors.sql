-- What dedup keeps of each content article so that later batches compare with it without
-- re-reading its clean_text: reading the texts of candidates spread over the archive
-- decompresses a whole vector of texts per row, and the story pool's texts were
-- re-tokenised every batch (together most of dedup's growth with the archive's size,
-- bench/pipeline_growth.py). NULL for articles stored before this migration: dedup then
-- reads their clean_text as before, and `newsetl restory` fills them.
-- term_counts: its story terms with their counts (tasks/dedup.py story_term_counts).
ALTER TABLE articles ADD COLUMN term_counts MAP(VARCHAR, INTEGER);
-- copy_sketch, n_shingles: b-bit sketch of its whole-text MinHash and its shingle count
-- (tasks/copy_sketch.py): a copy candidate whose sketch rules out a copy is not read.
ALTER TABLE articles ADD COLUMN copy_sketch BLOB;
ALTER TABLE articles ADD COLUMN n_shingles INTEGER;

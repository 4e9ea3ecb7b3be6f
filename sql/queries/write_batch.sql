-- Replace the rows of a batch of articles. Run inside one transaction by tasks/store.py,
-- with the batch registered as the relations batch_articles, batch_removed_lines,
-- batch_entities, batch_duplicates, batch_minhash_bands and batch_page_lines.
DELETE FROM removed_lines WHERE doc_id IN (SELECT doc_id FROM batch_articles);
DELETE FROM entities      WHERE doc_id IN (SELECT doc_id FROM batch_articles);
DELETE FROM minhash_bands WHERE doc_id IN (SELECT doc_id FROM batch_articles);
DELETE FROM duplicates    WHERE member IN (SELECT doc_id FROM batch_articles);
DELETE FROM page_lines    WHERE doc_id IN (SELECT doc_id FROM batch_articles);
DELETE FROM articles      WHERE doc_id IN (SELECT doc_id FROM batch_articles);
INSERT INTO articles      BY NAME SELECT * FROM batch_articles;
INSERT INTO removed_lines BY NAME SELECT * FROM batch_removed_lines;
INSERT INTO entities      BY NAME SELECT * FROM batch_entities;
INSERT INTO duplicates    BY NAME SELECT * FROM batch_duplicates;
INSERT INTO minhash_bands BY NAME SELECT * FROM batch_minhash_bands;
INSERT INTO page_lines    BY NAME SELECT * FROM batch_page_lines;

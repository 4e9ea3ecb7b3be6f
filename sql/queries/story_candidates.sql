-- Story candidates for a batch: for each batch article, the $per_article stored content
-- articles it can reach in time (batch_reach, below) that share the most of its top terms
-- (at least $min_shared). batch_terms(doc_id, term) holds each batch article's top terms.
-- batch_reach(doc_id, seen_since, seen_until, fetched_since, fetched_until, crawl_dated_until)
-- says, per batch article (tasks/dedup.py story_reach), which stored articles it can reach:
-- those seen (published, else fetched) between seen_since and seen_until, and those fetched
-- between fetched_since and fetched_until (the same crawl) that are undated or, when
-- crawl_dated_until is set, published by then. seen_intervals(lo, hi) and
-- fetched_intervals(lo, hi) are the union of those ranges (merged, so a few disjoint rows):
-- the stored articles in them are found first, by joining each interval table (an article
-- falls in at most one interval of each, so the UNION only removes those in both), so the
-- shared-term join covers them only, not the whole archive; each article's own range then
-- filters its candidates before its top-$per_article ranking (an article's list is never
-- filled with articles it cannot join). Written as EXISTS, DuckDB grouped every stored
-- article's times to decorrelate it: 23 ms CPU a batch at bench/pipeline_growth.py's 100k,
-- against ~3 ms for the joins.
-- The candidates' rows are then read by rowid (the same query, so the same rows), not by
-- doc_id: doc ids are hashes, so a doc_id filter reads the doc_id column of every row group,
-- and the clean_text read along with it cost 393 ms of 800 for 200 new articles against
-- bench/pipeline_growth.py's 100k archive (31 ms by rowid; 76 ms by doc_id at 10k).
-- With each: its entity names of the kinds in $kinds (one per mention, for the name
-- similarity) and the time of its whole story: first and last publication date of its dated
-- members (the span; the window stays anchored on its first article), the earliest fetch
-- time of its undated members (they were published by then; tasks/dedup.py story_time) and
-- the first and last fetch time of its members. Each name comes as [canonical,
-- entity_id], so the stored side keys it exactly as tasks/dedup.py name_counts keys the batch
-- (the entity id when there is one: Kyiv/Kiew/Київ are one place). Its words come as its stored
-- term_counts (reading and re-tokenising the texts of ~1,800 candidates per batch was a third
-- of dedup's time); tasks/store.py reads by row_id (candidate_texts.sql) the clean_text of
-- those stored without counts (before migration 014). Selecting clean_text here, even as NULL
-- for the others, decompressed every candidate's text vector (32 of 210 ms CPU at 100k).
WITH reachable AS (
    SELECT a.rowid AS row_id, a.doc_id, coalesce(a.published_at, a.fetched_at) AS seen_at, a.published_at, a.fetched_at
    FROM articles AS a
    JOIN seen_intervals AS i ON coalesce(a.published_at, a.fetched_at) BETWEEN i.lo AND i.hi
    WHERE a.is_article AND a.doc_id NOT IN (SELECT doc_id FROM batch_doc_ids)
    UNION
    SELECT a.rowid AS row_id, a.doc_id, coalesce(a.published_at, a.fetched_at) AS seen_at, a.published_at, a.fetched_at
    FROM articles AS a
    JOIN fetched_intervals AS i ON a.fetched_at BETWEEN i.lo AND i.hi
    WHERE a.is_article AND a.doc_id NOT IN (SELECT doc_id FROM batch_doc_ids)
), shared AS (
    SELECT b.doc_id AS batch_doc, t.doc_id, count(*) AS shared
    FROM batch_terms AS b
    JOIN story_terms AS t ON t.term = b.term
    WHERE t.doc_id IN (SELECT doc_id FROM reachable)
      -- the same intervals as constant ranges (tasks/store.py writes them in): DuckDB then
      -- reads only the row groups of the index that hold such times
      -- (sql/schema/015_story_terms_time.sql). Joined as a table, as above, it reads every
      -- row group between the first interval and the last: all of them for a batch that
      -- mixes years (19 of 25 against 7 for two intervals 4 months apart at 100k)
      AND ({story_terms_in_reach})
    GROUP BY b.doc_id, t.doc_id
    HAVING count(*) >= $min_shared
), ranked AS (
    SELECT s.doc_id, a.row_id
    FROM shared AS s
    JOIN reachable AS a USING (doc_id)
    JOIN batch_reach AS r ON r.doc_id = s.batch_doc
    WHERE a.seen_at BETWEEN r.seen_since AND r.seen_until
       OR (a.fetched_at BETWEEN r.fetched_since AND r.fetched_until
           AND (a.published_at IS NULL OR a.published_at <= r.crawl_dated_until))
    QUALIFY row_number() OVER (PARTITION BY s.batch_doc ORDER BY s.shared DESC, s.doc_id) <= $per_article
), names AS (
    SELECT doc_id, list([canonical, entity_id] ORDER BY start_char, canonical) AS names
    FROM entities
    WHERE doc_id IN (SELECT doc_id FROM ranked) AND kind IN (SELECT unnest($kinds))
    GROUP BY doc_id
), spans AS (
    SELECT story_id, min(published_at) AS first_seen, max(published_at) AS last_seen,
           min(fetched_at) FILTER (WHERE published_at IS NULL) AS undated_until,
           min(fetched_at) AS fetched_first, max(fetched_at) AS fetched_last
    FROM articles
    WHERE is_article
      AND story_id IN (SELECT story_id FROM articles WHERE rowid IN (SELECT row_id FROM ranked))
      AND doc_id NOT IN (SELECT doc_id FROM batch_doc_ids)
    GROUP BY story_id
)
SELECT a.doc_id, a.dup_group, a.story_id, a.rowid AS row_id, a.language,
       coalesce(a.published_at, a.fetched_at) AS seen_at,
       coalesce(n.names, []) AS names, s.first_seen, s.last_seen, s.undated_until, s.fetched_first, s.fetched_last, a.term_counts
FROM articles AS a
LEFT JOIN names AS n USING (doc_id)
LEFT JOIN spans AS s USING (story_id)
WHERE a.rowid IN (SELECT row_id FROM ranked)
ORDER BY a.doc_id;

-- Views for analysts; re-created on every run, so they always match the code.

-- One row per copy group: the canonical article of each set of copies.
CREATE OR REPLACE VIEW canonical_articles AS
SELECT a.*, (SELECT count(*) FROM articles c WHERE c.dup_group = a.doc_id) AS n_copies
FROM articles a
WHERE a.is_article AND a.dup_group = a.doc_id;

-- Articles that are content (not consent walls, block pages or empty after cleanup).
CREATE OR REPLACE VIEW content_articles AS
SELECT * FROM articles WHERE is_article;

-- One row per story: size, sources, time span, headline of the canonical, top entities.
CREATE OR REPLACE VIEW story_summary AS
WITH members AS (
    SELECT story_id, doc_id, source, coalesce(published_at, fetched_at) AS seen_at
    FROM articles WHERE is_article
), top_entities AS (
    SELECT story_id, list(canonical ORDER BY n DESC, canonical)[1:5] AS top_entities
    FROM (
        SELECT m.story_id, e.canonical, count(DISTINCT e.doc_id) AS n
        FROM entities e JOIN members m USING (doc_id)
        GROUP BY ALL
    )
    GROUP BY story_id
)
SELECT m.story_id,
       s.title AS headline,
       count(*) AS n_articles,
       count(DISTINCT a.dup_group) AS n_copy_groups,
       count(DISTINCT m.source) AS n_sources,
       list(DISTINCT m.source ORDER BY m.source) AS sources,
       min(m.seen_at) AS first_seen,
       max(m.seen_at) AS last_seen,
       any_value(t.top_entities) AS top_entities
FROM members m
JOIN articles a USING (doc_id)
LEFT JOIN articles s ON s.doc_id = m.story_id
LEFT JOIN top_entities t ON t.story_id = m.story_id
GROUP BY m.story_id, s.title;

-- Entity names across articles: how often and where each canonical name occurs.
CREATE OR REPLACE VIEW entity_summary AS
SELECT canonical, label,
       count(*) AS mentions,
       count(DISTINCT doc_id) AS articles,
       list(DISTINCT text ORDER BY text) AS surface_forms
FROM entities
GROUP BY canonical, label;

-- One row per entity id and language: the names it goes by there and in how many articles
-- (tasks/entity_ids.py: GeoNames ids for places, spelling-folded keys for the rest).
CREATE OR REPLACE VIEW entity_names AS
SELECT e.entity_id, any_value(e.kind) AS kind, a.language,
       list(DISTINCT e.canonical ORDER BY e.canonical) AS names,
       count(*) AS mentions,
       count(DISTINCT e.doc_id) AS articles
FROM entities e JOIN articles a USING (doc_id)
WHERE e.entity_id IS NOT NULL
GROUP BY e.entity_id, a.language;

-- Lines cleanup removed, counted by reason, with an example of each.
CREATE OR REPLACE VIEW removed_line_summary AS
SELECT reason, count(*) AS lines, count(DISTINCT doc_id) AS articles, any_value(text) AS example
FROM removed_lines
GROUP BY reason;

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

-- Entity names across content articles: how often, where and when each canonical name
-- occurs, every kind (names, and the English model's dates, numbers, money, ...). Ties
-- after the article count go to the most recent, never to the alphabet.
CREATE OR REPLACE VIEW entity_summary AS
SELECT e.canonical, e.kind, e.label,
       count(*) AS mentions,
       count(DISTINCT e.doc_id) AS articles,
       count(DISTINCT a.source) AS sources,
       max(coalesce(a.published_at, a.fetched_at)) AS last_seen,
       list(DISTINCT e.text ORDER BY e.text) AS surface_forms
FROM entities e JOIN articles a USING (doc_id)
WHERE a.is_article
GROUP BY e.canonical, e.kind, e.label
ORDER BY articles DESC, last_seen DESC, mentions DESC;

-- What is in the news: names only (people, organisations, places, other names: events,
-- works, products, nationalities), never dates, times, numbers, money or ordinals. A name
-- has a letter and two characters at least (table rules and stray symbols are not names).
CREATE OR REPLACE VIEW what_is_in_the_news AS
SELECT e.canonical AS name, e.kind,
       count(DISTINCT e.doc_id) AS articles,
       count(*) AS mentions,
       count(DISTINCT a.source) AS sources,
       max(coalesce(a.published_at, a.fetched_at)) AS last_seen
FROM entities e JOIN articles a USING (doc_id)
WHERE a.is_article AND e.kind IN ('person', 'organisation', 'place', 'other')
  AND length(e.canonical) >= 2 AND regexp_matches(e.canonical, '\p{L}')
GROUP BY e.canonical, e.kind
ORDER BY articles DESC, last_seen DESC, mentions DESC;

-- Who is in the news: the people of what_is_in_the_news.
CREATE OR REPLACE VIEW who_is_in_the_news AS
SELECT name, articles, mentions, sources, last_seen
FROM what_is_in_the_news WHERE kind = 'person'
ORDER BY articles DESC, last_seen DESC, mentions DESC;

-- Quarantined inputs still waiting for a fix: not read again since, or quarantined again
-- when they were (a retry that stores the input closes its row; see sql/README.md).
CREATE OR REPLACE VIEW open_quarantine AS
SELECT * FROM quarantine
WHERE retried_at IS NULL OR last_seen > retried_at
ORDER BY last_seen DESC;

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

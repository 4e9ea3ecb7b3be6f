-- Views for analysts; re-created on every run, so they always match the code.

-- One row per copy group: the canonical article of each set of copies.
CREATE OR REPLACE VIEW canonical_articles AS
SELECT a.*, (SELECT count(*) FROM articles c WHERE c.dup_group = a.doc_id) AS n_copies
FROM articles a
WHERE a.is_article AND a.dup_group = a.doc_id;

-- Articles that are content (not consent walls, block pages or empty after cleanup).
CREATE OR REPLACE VIEW content_articles AS
SELECT * FROM articles WHERE is_article;

-- One row per story: size, sources, time span, headline, top entities; the stories with
-- the latest activity first, then the biggest.
-- Headline: the canonical article's title; when it has none, or its title is the site's
-- name (the same title on different articles of one source, or the source's own name),
-- the earliest member's real title; NULL only when no member has a title.
CREATE OR REPLACE VIEW story_summary AS
WITH members AS (
    SELECT story_id, doc_id, source, dup_group, title, published_at, coalesce(published_at, fetched_at) AS seen_at
    FROM articles WHERE is_article
), site_titles AS (
    SELECT source, title FROM articles
    WHERE is_article AND title IS NOT NULL
    GROUP BY source, title
    HAVING count(DISTINCT dup_group) > 1
), top_entities AS (
    -- Names only (as what_is_in_the_news: never dates, numbers or money), by the number of
    -- member articles naming them, then mentions; the alphabet only as the last resort.
    SELECT story_id, list(canonical ORDER BY n DESC, mentions DESC, canonical)[1:5] AS top_entities
    FROM (
        SELECT m.story_id, e.canonical, count(DISTINCT e.doc_id) AS n, count(*) AS mentions
        FROM entities e JOIN members m USING (doc_id)
        WHERE e.kind IN ('person', 'organisation', 'place', 'other')
          AND length(e.canonical) >= 2 AND regexp_matches(e.canonical, '\p{L}')
        GROUP BY ALL
    )
    GROUP BY story_id
)
SELECT m.story_id,
       list(m.title ORDER BY (st.title IS NOT NULL OR lower(trim(m.title)) = lower(trim(m.source))),
                             m.doc_id <> m.story_id, m.seen_at, m.doc_id)
           FILTER (WHERE trim(coalesce(m.title, '')) <> '')[1] AS headline,
       count(*) AS n_articles,
       count(DISTINCT m.dup_group) AS n_copy_groups,
       count(DISTINCT m.source) AS n_sources,
       list(DISTINCT m.source ORDER BY m.source) AS sources,
       -- the span of the dated members (an undated member's fetch time is not its event's
       -- time: tasks/dedup.py story_time); fetch times only for a story without dates
       coalesce(min(m.published_at), min(m.seen_at)) AS first_seen,
       coalesce(max(m.published_at), max(m.seen_at)) AS last_seen,
       any_value(t.top_entities) AS top_entities
FROM members m
LEFT JOIN site_titles st ON st.source = m.source AND st.title = m.title
LEFT JOIN top_entities t ON t.story_id = m.story_id
GROUP BY m.story_id
ORDER BY last_seen DESC, n_articles DESC, m.story_id;

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
-- One row per entity: mentions that share an entity_id (spelling variants and languages:
-- Zelensky, Zelenskyy, Selenskyj) count together, under the name used most often; the kind
-- is the one most of its mentions were given, so a model's occasional slip (a person
-- tagged as an organisation in one sentence) does not make a second, wrong row.
CREATE OR REPLACE VIEW what_is_in_the_news AS
WITH named AS (
    SELECT coalesce(e.entity_id, 'name:' || e.canonical) AS entity, e.canonical, e.kind,
           e.doc_id, a.source, coalesce(a.published_at, a.fetched_at) AS seen
    FROM entities e JOIN articles a USING (doc_id)
    WHERE a.is_article AND e.kind IN ('person', 'organisation', 'place', 'other')
      AND length(e.canonical) >= 2 AND regexp_matches(e.canonical, '\p{L}')
), kind_votes AS (
    SELECT entity, kind, count(*) AS n FROM named GROUP BY entity, kind
), name_votes AS (
    SELECT entity, canonical, count(*) AS n, max(seen) AS seen FROM named GROUP BY entity, canonical
), voted AS (
    SELECT k.entity, k.kind, n.canonical AS name
    FROM (SELECT entity, first(kind ORDER BY n DESC, kind) AS kind FROM kind_votes GROUP BY entity) k
    JOIN (SELECT entity, first(canonical ORDER BY n DESC, seen DESC, canonical) AS canonical
          FROM name_votes GROUP BY entity) n USING (entity)
)
SELECT v.name, v.kind,
       count(DISTINCT m.doc_id) AS articles,
       count(*) AS mentions,
       count(DISTINCT m.source) AS sources,
       max(m.seen) AS last_seen
FROM named m JOIN voted v USING (entity)
GROUP BY m.entity, v.name, v.kind
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

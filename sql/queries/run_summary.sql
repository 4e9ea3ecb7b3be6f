-- The run summary: one row per (section, name) with a count, for the articles stored
-- by run $run_id. Sections: articles, language, entity (top names, counted in articles),
-- stories, copies, removed, quarantine.
SELECT 'articles' AS section, 'stored' AS name, count(*) AS n FROM articles WHERE run_id = $run_id
UNION ALL SELECT 'articles', 'not an article', count(*) FROM articles WHERE run_id = $run_id AND NOT is_article
UNION ALL SELECT 'articles', 'no NER model', count(*) FROM articles WHERE run_id = $run_id AND ner_model IS NULL
UNION ALL SELECT 'language', language, count(*) FROM articles WHERE run_id = $run_id GROUP BY language
UNION ALL (
    -- Top names (what_is_in_the_news, for this run's articles): by articles, then recency.
    -- One row per entity (its entity_id: US, U.S. and USA count together), under the name
    -- its mentions use most, with the kind most of them got (a model that tags "Ukrainian"
    -- once as a place and otherwise as a nationality shows it once).
    SELECT 'entity', mode(e.canonical) || ' (' || mode(e.kind) || ')', count(DISTINCT e.doc_id)
    FROM entities e JOIN articles a USING (doc_id)
    WHERE e.run_id = $run_id AND a.is_article AND e.kind IN ('person', 'organisation', 'place', 'other')
      AND length(e.canonical) >= 2 AND regexp_matches(e.canonical, '\p{L}')
    GROUP BY coalesce(e.entity_id, e.canonical)
    ORDER BY count(DISTINCT e.doc_id) DESC, max(coalesce(a.published_at, a.fetched_at)) DESC, count(*) DESC LIMIT 10
)
UNION ALL SELECT 'entities', 'mentions', count(*) FROM entities WHERE run_id = $run_id
UNION ALL SELECT 'copies', 'copy groups touched', count(DISTINCT dup_group) FROM articles WHERE run_id = $run_id AND is_article
UNION ALL SELECT 'copies', 'copy groups with 2+ articles', count(*) FROM (
    SELECT dup_group FROM articles WHERE dup_group IN (SELECT dup_group FROM articles WHERE run_id = $run_id)
    GROUP BY dup_group HAVING count(*) > 1)
UNION ALL SELECT 'stories', 'stories touched', count(DISTINCT story_id) FROM articles WHERE run_id = $run_id AND is_article
UNION ALL SELECT 'stories', 'stories with 2+ articles', count(*) FROM (
    SELECT story_id FROM articles WHERE story_id IN (SELECT story_id FROM articles WHERE run_id = $run_id AND is_article)
    GROUP BY story_id HAVING count(*) > 1)
UNION ALL SELECT 'removed', reason, count(*) FROM removed_lines WHERE run_id = $run_id GROUP BY reason
UNION ALL SELECT 'quarantine', stage || ': ' || error, count(*) FROM quarantine WHERE run_id = $run_id GROUP BY ALL;

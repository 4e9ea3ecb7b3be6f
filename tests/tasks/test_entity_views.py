"""The analyst's name views count an entity once: spelling variants that share an entity_id
meet, and a model's occasional wrong label does not make a second row of the wrong kind."""

from datetime import datetime, timezone

import duckdb

from newsetl.tasks.store import migrate


def _db_with_mentions(tmp_path, mentions):
    """A migrated database with one content article per distinct doc_id of `mentions`
    ((doc_id, text, canonical, kind, entity_id) tuples)."""
    db = tmp_path / "news.duckdb"
    migrate(db)
    when = datetime(2026, 3, 1, tzinfo=timezone.utc)
    with duckdb.connect(str(db)) as con:
        for i, doc in enumerate(sorted({m[0] for m in mentions})):
            con.execute("INSERT INTO articles (doc_id, source_uri, source, is_article, fetched_at) VALUES (?, ?, ?, true, ?)",
                        [doc, f"file:///{doc}.txt", f"site{i % 2}", when])
        for doc, text, canonical, kind, entity_id in mentions:
            con.execute("INSERT INTO entities (doc_id, text, label, start_char, end_char, canonical, kind, entity_id) "
                        "VALUES (?, ?, ?, 0, ?, ?, ?, ?)", [doc, text, kind.upper(), len(text), canonical, kind, entity_id])
    return db


def test_a_rare_wrong_label_does_not_make_a_person_an_organisation(tmp_path):
    db = _db_with_mentions(tmp_path, [
        ("a1", "Ana Lindqvist", "Ana Lindqvist", "person", "person:analindqvist"),
        ("a2", "Ana Lindqvist", "Ana Lindqvist", "person", "person:analindqvist"),
        ("a3", "Ana Lindqvist", "Ana Lindqvist", "organisation", "person:analindqvist"),
    ])
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT name, kind, articles FROM what_is_in_the_news").fetchall()
        people = con.execute("SELECT name, articles FROM who_is_in_the_news").fetchall()
    assert rows == [("Ana Lindqvist", "person", 3)]
    assert people == [("Ana Lindqvist", 3)]


def test_spelling_variants_sharing_an_id_are_counted_together_under_the_commonest_name(tmp_path):
    db = _db_with_mentions(tmp_path, [
        ("b1", "Zelensky", "Zelensky", "person", "person:zelenski"),
        ("b2", "Zelenskyy", "Zelenskyy", "person", "person:zelenski"),
        ("b3", "Zelenskyy", "Zelenskyy", "person", "person:zelenski"),
        ("b4", "Selenskyj", "Selenskyj", "person", "person:zelenski"),
        ("b4", "Marta Oyelaran", "Marta Oyelaran", "person", None),
    ])
    with duckdb.connect(str(db), read_only=True) as con:
        people = con.execute("SELECT name, articles, mentions FROM who_is_in_the_news").fetchall()
    assert people[0] == ("Zelenskyy", 4, 4)
    # a mention without an id (stored before ids existed) still counts, by its name
    assert ("Marta Oyelaran", 1, 1) in people and len(people) == 2


def test_stored_articles_come_back_with_their_entity_ids(tmp_path):
    # restory and reprocess rebuild stories from stored articles: dedup keys names by entity id,
    # so an id lost on the way back would make a stored "Kiew" miss a new "Kyiv"
    from newsetl.tasks.store import stored_articles

    db = _db_with_mentions(tmp_path, [("c1", "Kiew", "Kiew", "place", "geonames:703448")])
    with duckdb.connect(str(db)) as con:
        con.execute("UPDATE articles SET raw_text = 'Kiew', clean_text = 'Kiew', content_hash = 'x'")
    (article,) = stored_articles(db, ["c1"])
    assert [(e.canonical, e.kind, e.entity_id) for e in article.entities] == [("Kiew", "place", "geonames:703448")]


def test_the_run_summary_counts_spelling_variants_of_an_entity_once(tmp_path):
    from newsetl.tasks.store import run_summary

    db = _db_with_mentions(tmp_path, [
        ("d1", "U.S.", "U.S.", "place", "geonames:6252001"),
        ("d2", "US", "US", "place", "geonames:6252001"),
        ("d3", "United States", "United States", "place", "geonames:6252001"),
        ("d4", "U.S.", "U.S.", "place", "geonames:6252001"),
        ("d4", "Harbourside", "Harbourside", "place", "place:harbourside"),
    ])
    with duckdb.connect(str(db)) as con:
        con.execute("UPDATE articles SET run_id = 'r1'")
        con.execute("UPDATE entities SET run_id = 'r1'")
    top = [(name, n) for section, name, n in run_summary(db, "r1") if section == "entity"]
    assert top == [("U.S. (place)", 4), ("Harbourside (place)", 1)]

"""`newsetl reprocess`: a changed stage version recomputes exactly the stale rows, from raw_text."""

import duckdb
import pytest

import newsetl.tasks.cleanup as cleanup_module
import newsetl.tasks.cleanup.batch as cleanup_batch
import newsetl.tasks.dedup as dedup_module
from newsetl.flows.pipeline import pipeline
from newsetl.flows.reprocess import current_versions, first_stale_stage, reprocess, reset_from
from newsetl.tasks.store import stored_articles
from tests.site_fixture import write_site

ROW = "SELECT doc_id, run_id, stored_at, clean_text, versions FROM articles ORDER BY doc_id"
# What ingest, metadata and language made: never lost or changed by a reprocess.
KEPT = (
    "SELECT doc_id, source, source_from, site_name, title, url, published_at, published_from, published_precision,"
    " authors, byline, attribution, language, raw_text FROM articles ORDER BY doc_id"
)


def sql(db, statement, *params):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(statement, list(params)).fetchall()


def rows_by_id(db):
    return {row[0]: row for row in sql(db, ROW)}


def test_first_stale_stage_follows_the_versions():
    current = {"cleanup": "c2", "ner": "m1", "dedup": "d1"}
    assert first_stale_stage({"cleanup": "c2", "ner": "m1", "dedup": "d1"}, current, ("cleanup", "entities", "dedup")) is None
    assert first_stale_stage({"cleanup": "c1", "ner": "m1", "dedup": "d1"}, current, ("cleanup", "entities", "dedup")) == "cleanup"
    assert first_stale_stage({"cleanup": "c1", "ner": "m0", "dedup": "d1"}, current, ("entities",)) == "entities"
    assert first_stale_stage({"cleanup": "c1", "ner": "m1", "dedup": "d1"}, current, ("entities", "dedup")) is None
    assert first_stale_stage({"cleanup": "c2", "dedup": "d1"}, current, ("entities",), has_text=False) is None  # nothing to annotate
    assert first_stale_stage({"cleanup": "c2", "ner": "m1", "dedup": "d1"}, current, ("dedup",), force=True) == "dedup"


DEDUP_VERSION = dedup_module.VERSION  # the version the first pages are stored by (before the fixture's upgrade)


@pytest.fixture
def two_versions_db(tmp_path, monkeypatch):
    """Pages 0-1 stored by the current dedup and cleanup versions; then dedup is 'upgraded' and page 2 stored by it."""
    db = tmp_path / "news.duckdb"
    write_site(tmp_path / "old", range(2))
    write_site(tmp_path / "new", range(2, 4))
    pipeline(paths=[str(tmp_path / "old")], db=str(db))
    monkeypatch.setattr(dedup_module, "VERSION", "dedup.v2-test")
    pipeline(paths=[str(tmp_path / "new")], db=str(db))
    return db


def test_a_changed_stage_version_recomputes_exactly_the_stale_rows(two_versions_db):
    db = two_versions_db
    before = rows_by_id(db)
    stale = {d for d, row in before.items() if f'"dedup": "{DEDUP_VERSION}"' in row[4]}
    assert len(stale) == 2 and len(before) == 4
    counts_before = sql(db, "SELECT (SELECT count(*) FROM entities), (SELECT count(*) FROM removed_lines), (SELECT count(*) FROM duplicates)")
    kept = sql(db, KEPT)

    result = reprocess(db=str(db), stage="dedup")
    after = rows_by_id(db)
    assert result.counts.articles_new == 2 and result.counts.articles_unchanged == 2
    recomputed = {d for d in after if after[d][1] == result.run_id}
    assert recomputed == stale  # exactly the stale rows…
    assert all(after[d] == before[d] for d in before if d not in stale)  # …and the others untouched
    assert all('"dedup": "dedup.v2-test"' in after[d][4] for d in after)
    assert all(after[d][3] == before[d][3] for d in after)  # dedup redone, clean text kept
    assert sql(db, "SELECT (SELECT count(*) FROM entities), (SELECT count(*) FROM removed_lines), (SELECT count(*) FROM duplicates)") == counts_before
    assert sql(db, "SELECT count(*) FROM articles") == [(4,)]
    assert sql(db, KEPT) == kept
    [(status, versions)] = sql(db, "SELECT status, versions->>'reprocess' FROM runs WHERE run_id = ?", result.run_id)
    assert status == "COMPLETED" and "dedup" in versions

    again = reprocess(db=str(db), stage="all")
    assert again.counts.articles_new == 0 and again.counts.articles_unchanged == 4  # nothing stale any more
    assert rows_by_id(db) == after


def test_a_new_cleanup_version_redoes_cleanup_and_what_follows_from_raw_text(two_versions_db, monkeypatch):
    db = two_versions_db
    before, kept = rows_by_id(db), sql(db, KEPT)
    with duckdb.connect(str(db)) as con:  # one page of the site breaks; the others must not be rewritten
        con.execute("UPDATE articles SET clean_text = 'damaged' WHERE doc_id = (SELECT min(doc_id) FROM articles)")
    monkeypatch.setattr(cleanup_module, "VERSION", "cleanup-lines.v2-test")  # what reprocess compares with
    monkeypatch.setattr(cleanup_batch, "VERSION", "cleanup-lines.v2-test")  # what cleanup stamps
    [(target,)] = sql(db, "SELECT min(doc_id) FROM articles")

    result = reprocess(db=str(db), stage="cleanup", where=f"doc_id = '{target}'")
    after = rows_by_id(db)
    assert result.counts.articles_new == 1 and result.counts.articles_unchanged == 0  # --where narrows the selection
    assert after[target][3] == before[target][3]  # the same clean text again, recomputed from raw_text
    assert "cleanup-lines.v2-test" in after[target][4]
    assert all(after[d] == before[d] for d in before if d != target)
    assert sql(db, KEPT) == kept
    assert sql(db, "SELECT count(*) FROM entities WHERE doc_id = ?", target)[0][0] > 0
    assert sql(db, "SELECT count(*) FROM removed_lines WHERE doc_id = ?", target)[0][0] > 0


def test_stored_articles_round_trip(two_versions_db):
    db = two_versions_db
    [article] = stored_articles(db, [sql(db, "SELECT min(doc_id) FROM articles")[0][0]])
    assert article.clean_text and article.removed_lines and article.entities and article.line_keys
    assert article.versions["cleanup"] == cleanup_module.VERSION
    fresh = reset_from("cleanup", article)
    assert fresh.clean_text is None and not fresh.entities and fresh.raw_text == article.raw_text
    assert current_versions(article.language)["ner"] == article.versions["ner"]


def test_a_reprocess_keeps_what_ingest_noted(tmp_path):
    """An ingest note (a date dropped) stays with the article through a recompute of every stage."""
    feed = tmp_path / "records.jsonl"
    feed.write_text(
        '{"id": "n1", "published_at": "yesterday-ish", "text": "The harbour authority of Porto opened a new ferry terminal on '
        'Monday. Officials said the terminal would carry 3,000 passengers a day from the spring."}\n',
        encoding="utf-8",
    )
    db = tmp_path / "news.duckdb"
    pipeline(paths=[str(feed)], db=str(db))
    [(notes_before,)] = sql(db, "SELECT notes FROM articles")
    assert notes_before == "published_at 'yesterday-ish' is not an ISO-8601 date, dropped"

    result = reprocess(db=str(db), stage="cleanup", force=True)
    assert result.counts.articles_new == 1
    assert sql(db, "SELECT notes FROM articles") == [(notes_before,)]

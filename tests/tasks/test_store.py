"""The DuckDB store on a real database file."""

import subprocess
import sys
import textwrap
import time
from datetime import timedelta

import duckdb

from newsetl.tasks.cleanup import clean_articles
from newsetl.tasks.dedup import batch_terms, dedup_batch, signatures, story_query_terms, story_reach
from newsetl.tasks.entities import extract_entities
from newsetl.tasks.ingest import plan_inputs, read_units
from newsetl.tasks.language import detect_languages
from newsetl.tasks.records import Quarantined, StoredNeighbours
from newsetl.tasks.settings import Settings
from newsetl.tasks import store
from tests.conftest import SEEDS

TABLES = ("articles", "removed_lines", "entities", "duplicates", "minhash_bands", "quarantine", "runs", "page_lines", "story_terms")


def counts(db):
    with duckdb.connect(str(db), read_only=True) as con:
        tables = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
        tables["sum(term_df.df)"] = con.execute("SELECT sum(df) FROM term_df").fetchone()[0]
        return tables


def write(db, run_id, result, **kwargs):
    store.write_batch(
        db, run_id, result.articles, result.decisions, result.band_rows,
        story_term_rows=result.story_term_rows, doc_terms=result.doc_terms, term_counts=result.term_counts, sketches=result.sketches, **kwargs,
    )


def processed_seeds():
    settings = Settings()
    units, _ = plan_inputs([SEEDS], settings)
    articles, _ = read_units(units, settings)
    return dedup_batch(extract_entities(clean_articles(detect_languages(articles))), StoredNeighbours())


def test_migrate_creates_schema_once_and_views(tmp_path):
    db = tmp_path / "news.duckdb"
    every_file = sorted(p.stem for p in (store.SQL_DIR / "schema").glob("*.sql"))
    assert every_file[:6] == ["001_initial", "002_page_lines", "003_published_from", "004_story_index", "005_input_state", "006_entity_kind"]
    assert store.migrate(db) == every_file  # each migration once, in order
    assert store.migrate(db) == []
    with duckdb.connect(str(db), read_only=True) as con:
        views = {r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
    assert {"canonical_articles", "story_summary", "entity_summary", "removed_line_summary"} <= views


def test_writing_a_batch_twice_stores_it_once(tmp_path):
    db = tmp_path / "news.duckdb"
    store.migrate(db)
    result = processed_seeds()
    write(db, "run-1", result)
    first = counts(db)
    write(db, "run-2", result)
    assert counts(db) == first
    assert first["articles"] == 5 and first["entities"] > 100 and first["removed_lines"] == 15
    assert store.stored_content_hashes(db, [a.doc_id for a in result.articles]) == {
        a.doc_id: a.content_hash for a in result.articles
    }


def test_stored_neighbours_come_back_through_band_keys_and_text_hash(tmp_path):
    db = tmp_path / "news.duckdb"
    store.migrate(db)
    result = processed_seeds()
    write(db, "run-1", result)
    target = result.articles[4]
    keys = [(b, k) for d, b, k in result.band_rows if d == target.doc_id]
    sigs = signatures([target])
    terms = story_query_terms(sigs, *store.term_stats(db, batch_terms(sigs)))
    neighbours = store.dedup_neighbours(
        db, ["new-doc"], [target.text_hash], keys, {target.doc_id: story_reach(target, timedelta(days=14))}, story_terms=terms
    )
    assert neighbours.by_text_hash[target.text_hash] == (target.doc_id, target.dup_group)
    assert set(neighbours.copy_candidates) == {target.doc_id}
    assert len(neighbours.story_pool) == 5


def test_quarantining_the_same_input_again_updates_its_row(tmp_path):
    db = tmp_path / "news.duckdb"
    store.migrate(db)
    bad = [Quarantined("/data/x.txt", "ingest", "binary content, not text", content_hash="abc")]
    store.write_quarantine(db, "run-1", bad)
    store.write_quarantine(db, "run-2", bad)
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT source_uri, times_seen, run_id FROM quarantine").fetchall()
    assert rows == [("/data/x.txt", 2, "run-2")]


def test_writer_waits_while_another_process_holds_the_file(tmp_path):
    db = tmp_path / "news.duckdb"
    store.migrate(db)
    result = processed_seeds()
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import duckdb, sys, time
            con = duckdb.connect({str(db)!r})
            print("locked", flush=True)
            time.sleep(3)
            con.close()
        """)],
        stdout=subprocess.PIPE, text=True,
    )
    assert holder.stdout.readline().strip() == "locked"
    started = time.monotonic()
    write(db, "run-1", result, timeout_s=60)
    holder.wait(timeout=30)
    assert counts(db)["articles"] == 5
    assert time.monotonic() - started > 1.0  # it waited for the holder instead of failing


def test_metadata_columns_are_stored(tmp_path):
    from datetime import datetime, timezone

    from newsetl.tasks.records import Article

    db = tmp_path / "news.duckdb"
    store.migrate(db)
    article = Article(
        doc_id="m1", source_uri="/in/a.html", source="example.com", raw_text="<p>x</p>", content_hash="h",
        input_format="html", fetched_at=datetime(2024, 6, 1, tzinfo=timezone.utc), url="https://example.com/a",
        title="A", clean_text="A\n\nx", published_at=datetime(2019, 1, 1, tzinfo=timezone.utc), published_from="html_metadata",
        published_precision="year", source_from="url", site_name="Example News", authors=("Ann Lee", "Bo Carter"),
    )
    store.write_batch(db, "run-1", [article], [], [])
    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute("SELECT source_from, site_name, published_precision, authors FROM articles").fetchone()
    assert row == ("url", "Example News", "year", ["Ann Lee", "Bo Carter"])

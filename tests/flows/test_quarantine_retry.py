"""Runs that quarantine inputs: a state of their own in Prefect, and retries of what was quarantined."""

from uuid import UUID

import duckdb
import pytest
from prefect.client.orchestration import get_client

import newsetl.tasks.cleanup.batch as cleanup_module  # clean_batch cleans each page with _clean_article
from newsetl.flows.pipeline import QUARANTINE_STATE_NAME, pipeline
from newsetl.flows.versions import pipeline_version
from tests.site_fixture import BODIES


def sql(db, statement, *params):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(statement, list(params)).fetchall()


def flow_run_state(run_id: str):
    with get_client(sync_client=True) as client:
        return client.read_flow_run(UUID(run_id)).state


def write_pages(folder, count):
    folder.mkdir()
    for i, (title, paragraphs) in enumerate(BODIES[:count]):
        (folder / f"page{i}.txt").write_text("\n\n".join([title, *paragraphs]), encoding="utf-8")


def test_a_run_with_quarantined_inputs_has_a_named_state_in_the_api(tmp_path):
    clean, mixed = tmp_path / "clean", tmp_path / "mixed"
    write_pages(clean, 1)
    write_pages(mixed, 1)
    (mixed / "broken.txt").write_bytes(bytes(range(256)) * 8)

    ok = pipeline(paths=[str(clean)], db=str(tmp_path / "a.duckdb"))
    state = flow_run_state(ok.run_id)
    assert state.is_completed() and state.name == "Completed"

    quarantined = pipeline(paths=[str(mixed)], db=str(tmp_path / "b.duckdb"))
    assert quarantined.counts.quarantined == 1 and quarantined.counts.articles_new == 1  # the caller still gets the result
    state = flow_run_state(quarantined.run_id)
    assert state.is_completed() and state.name == QUARANTINE_STATE_NAME
    assert "1 inputs quarantined" in state.message and quarantined.run_id in state.message


def test_inputs_quarantined_by_an_older_version_are_retried_once(tmp_path):
    folder, db = tmp_path / "in", tmp_path / "news.duckdb"
    write_pages(folder, 2)
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 8)
    first = pipeline(paths=[str(folder)], db=str(db))
    assert first.counts.quarantined == 1
    assert sql(db, "SELECT times_seen, pipeline_version FROM quarantine") == [(1, pipeline_version())]

    same_version = pipeline(paths=[str(folder)], db=str(db))
    assert same_version.counts.quarantined == 0  # unchanged, quarantined by this very version: not read again

    with duckdb.connect(str(db)) as con:  # as if an older release had quarantined it
        con.execute("UPDATE quarantine SET pipeline_version = '0.0.1+older'")
    retried = pipeline(paths=[str(folder)], db=str(db))
    assert retried.counts.quarantined == 1 and retried.counts.articles_new == 0  # read again, still binary
    assert sql(db, "SELECT times_seen, pipeline_version FROM quarantine") == [(2, pipeline_version())]

    assert pipeline(paths=[str(folder)], db=str(db)).counts.quarantined == 0  # once per version
    everything = pipeline(paths=[str(folder)], db=str(db), retry_quarantined=True)
    assert everything.counts.quarantined == 1 and everything.counts.articles_unchanged == 2
    assert sql(db, "SELECT times_seen FROM quarantine") == [(3,)]


def test_an_input_that_now_works_is_stored_on_retry_and_its_quarantine_row_closed(tmp_path, monkeypatch):
    folder, db = tmp_path / "in", tmp_path / "news.duckdb"
    write_pages(folder, 3)
    real_clean = cleanup_module._clean_article

    def failing_on_the_library_page(article, *args, **kwargs):
        if "library" in article.raw_text:
            raise ValueError("cleanup bug on this page")
        return real_clean(article, *args, **kwargs)

    monkeypatch.setattr(cleanup_module, "_clean_article", failing_on_the_library_page)
    buggy = pipeline(paths=[str(folder)], db=str(db))
    assert buggy.counts.articles_new == 2 and buggy.counts.quarantined == 1
    [(stage, error)] = sql(db, "SELECT stage, error FROM quarantine")
    assert stage == "cleanup" and "cleanup bug" in error

    monkeypatch.setattr(cleanup_module, "_clean_article", real_clean)  # the bug is fixed…
    assert pipeline(paths=[str(folder)], db=str(db)).counts.articles_new == 0  # …but the page is unchanged: skipped
    with duckdb.connect(str(db)) as con:  # …in a new release
        con.execute("UPDATE quarantine SET pipeline_version = '0.0.1+older'")
    fixed = pipeline(paths=[str(folder)], db=str(db))
    assert fixed.counts.articles_new == 1 and fixed.counts.quarantined == 0 and fixed.counts.articles_unchanged == 2
    assert sql(db, "SELECT count(*) FROM articles WHERE clean_text LIKE '%library%'") == [(1,)]
    assert sql(db, "SELECT retried_with FROM quarantine") == [(pipeline_version(),)]
    assert sql(db, "SELECT count(*) FROM open_quarantine") == [(0,)]
    again = pipeline(paths=[str(folder)], db=str(db), retry_quarantined=True)
    assert again.counts.articles_new == 0  # closed rows are not retried, even with --retry-quarantined
    assert sql(db, "SELECT count(*) FROM articles") == [(3,)]

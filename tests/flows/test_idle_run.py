"""The idle fast path of `newsetl run`: nothing new means no flow, a recorded run, nothing stored twice."""

import os
import subprocess
import sys

import duckdb
import pytest

from newsetl.flows.idle_run import check_idle, run_if_idle
from newsetl.flows.pipeline import pipeline
from newsetl.tasks.settings import Settings
from tests.flows.cli_runs import write_articles

TABLES = ("articles", "entities", "duplicates", "quarantine", "input_state")


def sql(db, statement, *params):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(statement, list(params)).fetchall()


def counts(db):
    return {t: sql(db, f"SELECT count(*) FROM {t}")[0][0] for t in TABLES}


def newsetl_run(*args, cwd):
    env = {**os.environ, "PREFECT_HOME": str(cwd / ".prefect"), "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180"}
    env.pop("PREFECT_API_URL", None)  # like a user's shell: a run that needs Prefect starts its own server
    return subprocess.run(
        [sys.executable, "-m", "newsetl.flows.entry", "run", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600,
    )


@pytest.fixture()
def stored(tmp_path):
    """Four invented articles stored by one flow run."""
    folder = write_articles(tmp_path / "wire", 4)
    db = tmp_path / "news.duckdb"
    first = pipeline(paths=[str(folder)], db=str(db))
    assert first.counts.articles_new == 4
    return tmp_path, folder, db


def test_an_unchanged_rerun_stores_nothing_and_records_its_run(stored):
    tmp_path, folder, db = stored
    before = counts(db)
    proc = newsetl_run(str(folder), "--db", str(db), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "nothing new" in proc.stdout and "0 new articles, 4 unchanged" in proc.stdout
    # The temporary server spawned alongside the idle check is stopped while it imports:
    # it never made its database (it would, a few seconds into its start), and its log is
    # gone (the last real run's temporary-server.log is the one a user reads).
    assert not list((tmp_path / ".prefect").glob("*.db"))
    assert not list((tmp_path / ".prefect").glob("temporary-server.log*"))
    assert "Starting temporary server" not in proc.stderr
    assert counts(db) == before
    rows = sql(db, "SELECT status, articles_new, articles_unchanged, inputs, versions->>'idle' FROM runs ORDER BY started_at")
    assert len(rows) == 2 and rows[-1] == ("COMPLETED", 0, 4, [str(folder)], "true")


def test_a_changed_or_added_file_is_not_idle_and_the_run_picks_it_up(stored):
    tmp_path, folder, db = stored
    settings = Settings(db_path=db)
    assert run_if_idle([str(folder)], settings) is not None
    story = sorted(folder.glob("*.txt"))[1]
    story.write_text(story.read_text(encoding="utf-8") + "\nThe mayor of Eastwick added a late statement on Friday evening.\n", encoding="utf-8")
    runs_before = sql(db, "SELECT count(*) FROM runs")[0][0]
    assert run_if_idle([str(folder)], settings) is None
    assert sql(db, "SELECT count(*) FROM runs")[0][0] == runs_before  # only an idle run is recorded here
    proc = newsetl_run(str(folder), "--db", str(db), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "1 new articles, 3 unchanged" in proc.stdout
    [(text,)] = sql(db, "SELECT raw_text FROM articles WHERE source_uri = ?", str(story))
    assert "late statement" in text
    (folder / "extra.txt").write_text("Eastwick ferry timetable changes\n\nThe ferry to Westwick will leave at seven from Monday, the harbour office said.\n", encoding="utf-8")
    assert run_if_idle([str(folder)], settings) is None


def test_options_and_inputs_that_always_run_the_flow(stored):
    tmp_path, folder, db = stored
    assert run_if_idle([str(folder)], Settings(db_path=db, full_refresh=True)) is None
    assert run_if_idle([str(folder)], Settings(db_path=db), retry_quarantined=True) is None
    assert run_if_idle([str(folder)], Settings(db_path=tmp_path / "other.duckdb")) is None  # no database yet
    assert not (tmp_path / "other.duckdb").exists()
    assert run_if_idle([str(folder), "https://example.org/feed.xml"], Settings(db_path=db)) is None
    assert run_if_idle([str(folder), str(tmp_path / "gone")], Settings(db_path=db)) is None  # a missing path is quarantined by the flow


def test_the_idle_check_counts_new_one_article_files_and_not_record_files(stored):
    # `newsetl run` keeps NER in its own process when only a handful of one-article files are new.
    tmp_path, folder, db = stored
    settings = Settings(db_path=db)
    (folder / "late.txt").write_text("Eastwick bridge reopens\n\nThe bridge reopened on Sunday after repairs.\n", encoding="utf-8")
    (folder / "later.html").write_text("<html><body><h1>Ferry</h1><p>The ferry runs again.</p></body></html>", encoding="utf-8")
    check = check_idle([str(folder)], settings)
    assert check.idle is None and check.new_files == 2
    (folder / "wire.jsonl").write_text('{"text": "One of many articles a record file can hold."}\n', encoding="utf-8")
    assert check_idle([str(folder)], settings).new_files is None  # a record file may hold thousands

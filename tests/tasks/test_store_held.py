"""store.held: a step's calls share one open of the database file, and let go at its end."""

import subprocess
import sys
import textwrap
from datetime import datetime, timezone

import duckdb

from newsetl.tasks import store
from tests.tasks.db_holder import held_by_another_process

ROW = {"run_id": "r1", "status": "COMPLETED", "started_at": datetime(2026, 1, 1, tzinfo=timezone.utc), "inputs": ["a"]}

OPENS = textwrap.dedent("""
    import sys, duckdb
    try:
        duckdb.connect(sys.argv[1], read_only=True).close()
        print("opened")
    except duckdb.Error:
        print("busy")
""")


def other_process_can_open(db) -> bool:
    out = subprocess.run([sys.executable, "-c", OPENS, str(db)], capture_output=True, text=True, timeout=120)
    return out.stdout.strip() == "opened"


def test_calls_inside_a_hold_read_and_write_and_the_file_is_free_after_it(tmp_path):
    db = tmp_path / "news.duckdb"
    store.migrate(db)
    with store.held(db):
        store.write_run(db, ROW)
        with store.connect(db, read_only=True) as con:  # read-only asked: the held file serves it
            assert con.execute("SELECT run_id FROM runs").fetchall() == [("r1",)]
        assert not other_process_can_open(db)
    assert other_process_can_open(db)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT run_id, status FROM runs").fetchall() == [("r1", "COMPLETED")]


def test_a_hold_on_a_file_another_process_has_does_not_wait_and_calls_behave_as_without_it(tmp_path):
    db = tmp_path / "news.duckdb"
    store.migrate(db)
    with held_by_another_process(db), store.held(db):
        assert store.write_run(db, ROW, timeout_s=0.3) is False  # kept for the next run, as without a hold
    assert store.pending_runs_path(db).exists()

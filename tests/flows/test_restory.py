"""`newsetl restory` on a database the pipeline wrote: same stories as the fresh run."""

import os
import subprocess
import sys

import duckdb

from newsetl.flows.pipeline import pipeline
from tests.conftest import REPO


def assignments(db):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT doc_id, dup_group, story_id FROM articles ORDER BY doc_id").fetchall()


def test_cli_restory_after_a_run_gives_the_same_groups_and_stories(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for path in (REPO / "seeds").glob("*.txt"):
        (seeds / path.name).write_bytes(path.read_bytes())
    db = tmp_path / "news.duckdb"
    pipeline(paths=[str(seeds)], db=str(db))
    before = assignments(db)
    with duckdb.connect(str(db)) as con:  # an older model's stories: every article on its own
        con.execute("UPDATE articles SET story_id = doc_id")
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / ".prefect")}
    proc = subprocess.run(
        [sys.executable, "-m", "newsetl.flows.cli", "restory", "--db", str(db)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "5 articles re-assigned: 1 stories, 5 copy groups" in proc.stdout
    assert assignments(db) == before
    with duckdb.connect(str(db), read_only=True) as con:
        [(headline,)] = con.execute("SELECT headline FROM story_summary").fetchall()
    assert headline  # the canonical article's title


def test_cli_restory_without_a_database_says_so(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "newsetl.flows.cli", "restory", "--db", str(tmp_path / "missing.duckdb")],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 1 and "no database" in proc.stdout

"""The analyst's side: the read-only SQL prompt and Parquet snapshots of a real run's database."""

import os
import subprocess
import sys

import duckdb
import pytest

from newsetl.flows.pipeline import pipeline
from newsetl.tasks.store import export_parquet


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    from tests.conftest import SEEDS

    db = tmp_path_factory.mktemp("db") / "news.duckdb"
    pipeline(paths=[str(SEEDS)], db=str(db))
    return db


def test_sql_prompt_runs_each_statement_and_survives_errors(seeded, tmp_path):
    statements = "SELECT count(*) AS stored\n  FROM articles;\nSELECT * FROM no_such_table;\nSELECT 41 + 1 AS answer;\n"
    proc = subprocess.run(
        [sys.executable, "-m", "newsetl.flows.cli", "sql", "--db", str(seeded), "--csv"],
        input=statements, cwd=tmp_path, env=os.environ, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "stored\n5\n" in proc.stdout and "answer\n42\n" in proc.stdout
    assert "no_such_table" in proc.stderr  # the error is shown (one line, on stderr), the prompt goes on
    # The prompt held the file only per statement: a writer can open it now.
    duckdb.connect(str(seeded)).close()


def test_export_writes_a_parquet_snapshot_of_tables_and_views(seeded, tmp_path):
    target = tmp_path / "snapshot"
    first = export_parquet(seeded, target)
    names = {path.stem for path in first}
    assert {"articles", "entities", "removed_lines", "duplicates", "quarantine", "runs", "story_summary", "entity_summary"} <= names
    assert duckdb.sql(f"SELECT count(*) FROM read_parquet('{target / 'articles.parquet'}')").fetchall() == [(5,)]
    [(headline, n_articles)] = duckdb.sql(
        f"SELECT headline, n_articles FROM read_parquet('{target / 'story_summary.parquet'}')"
    ).fetchall()
    assert n_articles == 5 and headline

    (target / "stale.parquet").write_bytes(b"left from an older snapshot")
    again = export_parquet(seeded, target)
    assert {p.stem for p in again} == names  # replaced as a whole: nothing stale, nothing partial
    assert sorted(p.name for p in tmp_path.iterdir()) == ["snapshot"]

"""`newsetl sql`: light, one-line errors, a prompt with dot commands, and nothing it can write.

Each attack of issue 16 item 1 is tried through the real console script entry
(`python -m newsetl.flows.entry sql ...`) against a database built by the real migrations.
"""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from newsetl.tasks.store import migrate

ENTRY = [sys.executable, "-m", "newsetl.flows.entry", "sql"]


def newsetl_sql(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*ENTRY, *args], input=stdin, capture_output=True, text=True, timeout=60)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_db(path: Path, titles: list[str]) -> Path:
    migrate(path)
    with duckdb.connect(str(path)) as con:
        for i, title in enumerate(titles):
            con.execute(
                "INSERT INTO articles (doc_id, source_uri, source, title, raw_text, is_article) VALUES (?, ?, 'test', ?, ?, true)",
                [f"d{i}", f"/in/{i}.txt", title, f"{title}\n\nBody."],
            )
            con.execute(
                "INSERT INTO entities (doc_id, text, label, start_char, end_char, canonical, kind) VALUES (?, 'Ada Lovelace', 'PERSON', 0, 12, 'Ada Lovelace', 'person')",
                [f"d{i}"],
            )
    return path


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return make_db(tmp_path / "news.duckdb", ["Harbour reopens", "Ferry strike ends"])


def articles(path: Path) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("SELECT count(*) FROM articles").fetchone()[0]


def assert_refused(result: subprocess.CompletedProcess) -> None:
    assert result.returncode == 1, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr


def test_select_prints_a_table(db):
    result = newsetl_sql("SELECT title FROM articles ORDER BY title", "--db", str(db))
    assert result.returncode == 0 and "Ferry strike ends" in result.stdout and "Harbour reopens" in result.stdout


def test_csv_output(db):
    result = newsetl_sql("SELECT title FROM articles ORDER BY title", "--db", str(db), "--csv")
    assert result.stdout.splitlines() == ["title", "Ferry strike ends", "Harbour reopens"]


def test_a_typo_is_one_line_on_stderr_and_exit_1(db):
    result = newsetl_sql("SELEC title FROM articles", "--db", str(db))
    assert_refused(result)
    assert "syntax error" in result.stderr and result.stdout == ""


def test_a_missing_database_says_so(tmp_path):
    result = newsetl_sql("SELECT 1", "--db", str(tmp_path / "none.duckdb"))
    assert result.returncode == 1 and "no database" in result.stderr
    assert not (tmp_path / "none.duckdb").exists()


def test_a_bad_flag_is_a_usage_error(db):
    result = newsetl_sql("SELECT 1", "--db", str(db), "--no-such-flag")
    assert result.returncode == 2 and "--no-such-flag" in result.stderr


def test_copy_to_the_database_file_is_refused(db):
    before = digest(db)
    result = newsetl_sql(f"COPY (SELECT 'x') TO '{db}'", "--db", str(db))
    assert_refused(result)
    assert digest(db) == before and articles(db) == 2


def test_copy_to_any_file_is_refused(db, tmp_path):
    result = newsetl_sql(f"COPY articles TO '{tmp_path / 'out.csv'}'", "--db", str(db))
    assert_refused(result)
    assert not (tmp_path / "out.csv").exists()


def test_attach_read_write_and_delete_is_refused(db, tmp_path):
    other = make_db(tmp_path / "other.duckdb", ["Other paper"])
    before = digest(other)
    for statement in (
        f"ATTACH '{other}' AS o (READ_WRITE); DELETE FROM o.articles",
        f"ATTACH '{other}' AS o (READ_WRITE)",
    ):
        assert_refused(newsetl_sql(statement, "--db", str(db)))
    assert digest(other) == before and articles(other) == 1


def test_a_hard_link_to_the_database_gives_no_write_access(db, tmp_path):
    link = tmp_path / "link.duckdb"
    os.link(db, link)
    for statement in ("DELETE FROM articles", f"ATTACH '{link}' AS l; DELETE FROM l.articles", f"ATTACH '{link}' AS l (READ_WRITE)"):
        assert_refused(newsetl_sql(statement, "--db", str(db)))
        assert_refused(newsetl_sql(statement, "--db", str(link)))
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 2
        assert con.execute("SELECT count(*) FROM entities WHERE doc_id NOT IN (SELECT doc_id FROM articles)").fetchone()[0] == 0


def test_extensions_cannot_be_installed_or_loaded(db):
    for statement in ("INSTALL httpfs", "LOAD httpfs", "SELECT * FROM read_parquet('https://example.org/x.parquet')"):
        assert_refused(newsetl_sql(statement, "--db", str(db)))


def test_configuration_cannot_be_changed(db):
    for statement in ("SET enable_external_access = true", "SET lock_configuration = false", "RESET enable_external_access"):
        assert_refused(newsetl_sql(statement, "--db", str(db)))


def test_several_statements_in_one_string_are_refused(db):
    result = newsetl_sql("SELECT 1; SELECT 2", "--db", str(db))
    assert_refused(result)
    assert "one statement" in result.stderr and result.stdout == ""


def test_writes_to_the_database_are_refused(db):
    for statement in ("DELETE FROM articles", "DROP TABLE articles", "UPDATE articles SET title = 'x'", "CREATE TABLE t AS SELECT 1", "CHECKPOINT"):
        assert_refused(newsetl_sql(statement, "--db", str(db)))
    assert articles(db) == 2


def test_local_files_are_read_only_with_the_opt_in_flag(db, tmp_path):
    folder = tmp_path / "lookup"
    folder.mkdir()
    (folder / "outlets.csv").write_text("doc_id,outlet\nd0,Harbour Gazette\n", encoding="utf-8")
    query = f"SELECT a.title, o.outlet FROM articles a JOIN read_csv('{folder / 'outlets.csv'}') o USING (doc_id)"
    assert_refused(newsetl_sql(query, "--db", str(db)))
    allowed = newsetl_sql(query, "--db", str(db), "--read-files", str(folder), "--csv")
    assert allowed.returncode == 0 and allowed.stdout.splitlines()[1] == "Harbour reopens,Harbour Gazette"
    # the opt-in reads; it still writes nothing, there or elsewhere
    assert_refused(newsetl_sql(f"COPY articles TO '{folder / 'dump.csv'}'", "--db", str(db), "--read-files", str(folder)))
    assert_refused(newsetl_sql("SELECT * FROM read_csv('/etc/hostname')", "--db", str(db), "--read-files", str(folder)))
    assert not (folder / "dump.csv").exists()


def test_prompt_runs_statements_and_dot_commands(db):
    script = ".tables\n.schema runs\nSELECT title\n  FROM articles ORDER BY title;\nSELEC 1;\nSELECT count(*) AS n FROM entities;\n.quit\nSELECT 'not reached';\n"
    result = newsetl_sql("--db", str(db), "--csv", stdin=script)
    out = result.stdout
    assert "tables:" in out and "articles" in out and "views:" in out and "entity_summary" in out
    assert "CREATE TABLE runs" in out
    assert "Ferry strike ends" in out and "n\n2" in out and "not reached" not in out
    assert result.stderr.count("error:") == 1 and "syntax error" in result.stderr
    assert result.returncode == 0  # the last statement succeeded


def test_sql_loads_neither_prefect_nor_spacy(db):
    code = (
        "import sys; from newsetl.flows.entry import main; sys.argv = ['newsetl', 'sql', 'SELECT 1', '--db', sys.argv[1]]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'prefect', 'spacy', 'typer', 'newsetl.tasks'})\n"
        "print('HEAVY', heavy, 'TASKS', [m for m in sys.modules if m.startswith('newsetl.tasks')])"
    )
    result = subprocess.run([sys.executable, "-c", code, str(db)], capture_output=True, text=True, timeout=60)
    assert "HEAVY [] TASKS []" in result.stdout, result

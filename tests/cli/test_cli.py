"""The `newsetl` command line: version, help, usage errors before Prefect starts, empty input."""

import os
import subprocess
import sys

import pytest

ENTRY = [sys.executable, "-m", "newsetl.flows.entry"]


def newsetl(*args, cwd, env=None, timeout=60):
    return subprocess.run([*ENTRY, *args], cwd=cwd, env=env or os.environ, capture_output=True, text=True, timeout=timeout)


def user_env(tmp_path):
    """A user's shell: no PREFECT_HOME or API set (the test session sets both)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PREFECT_HOME", "PREFECT_API_URL")}
    env["HOME"] = str(tmp_path / "home")
    (tmp_path / "home").mkdir(exist_ok=True)
    return env


def test_version(tmp_path):
    result = newsetl("--version", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("newsetl 0.")


def test_help_shows_flags_as_flags(tmp_path):
    result = newsetl("run", "--help", cwd=tmp_path, env={**os.environ, "COLUMNS": "200"})
    assert result.returncode == 0
    assert "--full-refresh" in result.stdout and "--retry-quarantined" in result.stdout
    assert "<bool>" not in result.stdout
    assert "default: 1 thread" in result.stdout and "CPU count" not in result.stdout


@pytest.mark.parametrize("db", ["out.duckdb", "new/sub/out.duckdb"])
def test_a_missing_path_is_a_usage_error_before_anything_starts(tmp_path, db):
    env = user_env(tmp_path)
    result = newsetl("run", "/no/such/path", "--db", db, cwd=tmp_path, env=env)
    assert result.returncode == 2 and "no such file or folder: /no/such/path" in result.stderr
    assert "Traceback" not in result.stderr and "prefect" not in result.stderr.lower()
    # no database, no .prefect/, and no folder made for a database that was never written
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home"]


def test_a_database_path_under_a_file_is_one_error_line_without_a_traceback(tmp_path):
    # Prefect's folder goes next to the database: here it cannot be made.
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Bridge reopens\n\nThe bridge reopened on Sunday.\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a folder\n", encoding="utf-8")
    result = newsetl("run", "in", "--db", "notes.txt/news.duckdb", cwd=tmp_path, env=user_env(tmp_path))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "cannot make Prefect's folder next to the database notes.txt/news.duckdb" in " ".join(result.stderr.split())


def test_a_bad_flag_or_runner_is_a_usage_error(tmp_path):
    (tmp_path / "in").mkdir()
    assert newsetl("run", "in", "--no-such-flag", cwd=tmp_path).returncode == 2
    bad_runner = newsetl("run", "in", "--task-runner", "gpu", cwd=tmp_path)
    assert bad_runner.returncode == 2 and "unknown task runner" in bad_runner.stderr
    bad_stage = newsetl("reprocess", "--stage", "language", cwd=tmp_path)
    assert bad_stage.returncode == 2 and "--stage is one of" in bad_stage.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in"]


def test_an_empty_folder_warns_and_prefect_home_is_next_to_the_database(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.docx").write_bytes(b"not a supported suffix")
    result = newsetl("run", "empty", "--db", "data/news.duckdb", cwd=tmp_path, env=user_env(tmp_path), timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "warning: nothing to read in empty" in result.stderr
    assert (tmp_path / "data" / "news.duckdb").exists() and (tmp_path / "data" / ".prefect").is_dir()
    assert not (tmp_path / ".prefect").exists()

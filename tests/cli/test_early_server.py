"""`newsetl run` starts Prefect's temporary server itself only when no API is configured."""

from newsetl.flows.early_server import api_configured, db_argument, start_early_server
from newsetl.tasks.settings import DEFAULT_DB


def test_an_api_in_the_environment_or_a_profile_is_left_to_prefect(tmp_path, monkeypatch):
    for name in ("PREFECT_API_URL", "PREFECT_PROFILES_PATH"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path))
    assert not api_configured()
    (tmp_path / "profiles.toml").write_text('active = "local"\n\n[profiles.local]\nPREFECT_LOGGING_LEVEL = "INFO"\n', encoding="utf-8")
    assert not api_configured()
    (tmp_path / "profiles.toml").write_text('[profiles.local]\nPREFECT_API_URL = "http://10.0.0.5:4200/api"\n', encoding="utf-8")
    assert api_configured()
    (tmp_path / "profiles.toml").unlink()
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:4200/api")
    assert api_configured()


def test_no_server_is_spawned_once_prefect_is_imported(monkeypatch, tmp_path):
    import prefect  # noqa: F401 - its settings are read: too late to point them elsewhere

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path))
    assert start_early_server() is None


def test_a_temporary_server_that_cannot_start_is_said_in_one_error_with_its_log(tmp_path):
    from tests.cli.test_cli import newsetl, user_env

    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / "a.txt").write_text("Council votes\n\nThe council voted on Monday to rebuild the bridge.\n", encoding="utf-8")
    env = {**user_env(tmp_path), "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "60",
           # a database the server cannot reach: it exits during its start-up
           "PREFECT_API_DATABASE_CONNECTION_URL": "postgresql+asyncpg://nobody:x@127.0.0.1:1/none"}
    out = newsetl("run", "inbox", "--db", "news.duckdb", cwd=tmp_path, env=env, timeout=180)
    assert out.returncode == 1
    log = tmp_path / ".prefect" / "temporary-server.log"
    assert out.stderr.count("error: the temporary Prefect server exited with status") == 1
    assert f"before it was ready; its log ({log}) ends:" in out.stderr
    assert "Application startup failed" in log.read_text(encoding="utf-8")
    assert "flows/cli.py" not in out.stderr + out.stdout  # the run's own traceback is not shown


def test_the_early_server_finds_the_database_a_run_will_write_before_typer_reads_its_options():
    # Prefect's home goes next to that database; typer takes the last --db, in either form.
    assert db_argument(["news", "--db", "a.duckdb", "--batch-size", "50"]) == "a.duckdb"
    assert db_argument(["news", "--db=out/b.duckdb"]) == "out/b.duckdb"
    assert db_argument(["--db", "a.duckdb", "news", "--db=c.duckdb"]) == "c.duckdb"
    assert db_argument(["news", "--full-refresh"]) == DEFAULT_DB

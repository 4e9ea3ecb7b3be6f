"""`newsetl run` starts Prefect's temporary server itself only when no API is configured."""

from newsetl.flows.early_server import api_configured, start_early_server


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

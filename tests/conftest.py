"""Shared test set-up: Prefect offline and quiet, paths to the seeds."""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

# Before anything imports Prefect: no telemetry, and a throwaway PREFECT_HOME.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="newsetl-prefect-home-")
# Derived tables (tasks/derived_cache.py) go to a folder of this test session, not the
# user's cache: the suite starts from nothing, as on a fresh machine, and builds them once.
os.environ["NEWSETL_CACHE_DIR"] = tempfile.mkdtemp(prefix="newsetl-cache-")
# Both go when the session's process exits (~60 MB of derived tables each; they piled up in
# /tmp, one pair per `make test`). Registered before Prefect is imported, so this runs after
# Prefect's own exit handlers have stopped any temporary server writing into its home.
for _folder in (os.environ["PREFECT_HOME"], os.environ["NEWSETL_CACHE_DIR"]):
    atexit.register(shutil.rmtree, _folder, ignore_errors=True)

import pytest  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    """A fresh copy of seeds/ in a temporary folder named 'seeds'."""
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target


def seed_text(name: str) -> str:
    """The text of one seed file, by its name prefix (e.g. '003')."""
    return next(SEEDS.glob(f"{name}_*.txt")).read_text(encoding="utf-8")

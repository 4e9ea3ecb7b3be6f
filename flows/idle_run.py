"""The idle fast path of `newsetl run`: when nothing is new, say so without starting Prefect.

A scheduled run over a folder usually finds every file as it was stored. Planning the
inputs and comparing each file's size and modification time with `input_state` needs
neither Prefect (~2 s to import, plus its temporary API server) nor spaCy: this module
imports only the store and the planner. When every input is a local file unchanged since
it was stored, nothing is quarantined and nothing is due for a retry, the run is
recorded as a `runs` row (status COMPLETED, `versions.idle` true, no Prefect flow run)
and `newsetl run` exits 0. Anything else — a changed or new file, a URL or feed, stdin,
a missing path, an input to retry, --full-refresh — goes through the flow as before.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from newsetl.flows.versions import pipeline_version
from newsetl.tasks import store
from newsetl.tasks.plan import STDIN, hand_over, is_url, plan_inputs, unchanged_files
from newsetl.tasks.sanitize import printable_path
from newsetl.tasks.settings import Settings


@dataclass(frozen=True)
class IdleRun:
    """A run that found nothing new: its `runs` row id and how many input files it skipped."""

    run_id: str
    unchanged: int


def run_if_idle(paths: list[str], settings: Settings, retry_quarantined: bool = False) -> IdleRun | None:
    """Record and return an idle run when every input in `paths` is a local file stored
    before with the same size and mtime (and none is to be retried); None when the flow
    must run. Creates or upgrades the schema of an existing database like the flow does;
    never creates a database."""
    db = settings.db_path
    if settings.full_refresh or retry_quarantined or not Path(db).is_file():
        return None
    if any(str(p) == STDIN or is_url(str(p)) for p in paths):
        return None
    started_at = datetime.now(timezone.utc)
    units, missing = plan_inputs(paths, settings)
    hand_over(paths, settings, (units, missing))  # the flow reuses it when the run is not idle
    if missing or not units or any(u.path == STDIN or is_url(u.path) for u in units):
        return None
    with store.held(db):  # one open of the file for the checks and the runs row
        return _record_if_idle(paths, settings, units, started_at)


def _record_if_idle(paths: list[str], settings: Settings, units: list, started_at: datetime) -> IdleRun | None:
    """run_if_idle's checks against the database and the runs row of an idle run."""
    db = settings.db_path
    lock = settings.db_lock_timeout_s
    store.migrate(db, lock)
    uris = sorted({printable_path(u.path) for u in units})
    known = store.input_states(db, uris, lock)
    files = {u.path for u in units}
    if unchanged_files(units, known) != files:
        return None
    version = pipeline_version()
    if store.quarantined_to_retry(db, uris, version, False, lock):
        return None
    run_id = str(uuid.uuid4())
    store.write_run(
        db,
        {
            "run_id": run_id, "flow_run_name": None, "started_at": started_at, "finished_at": datetime.now(timezone.utc),
            "status": "COMPLETED", "inputs": [str(p) for p in paths], "articles_new": 0, "articles_unchanged": len(files),
            "quarantined": 0, "entities": 0, "error": None,
            "versions": {"batch_size": settings.batch_size, "full_refresh": False, "pipeline": version, "idle": True},
        },
        lock,
    )
    return IdleRun(run_id, len(files))

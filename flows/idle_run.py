"""The idle fast path of `newsetl run`: when nothing is new, say so without a Prefect flow run.

A scheduled run over a folder usually finds every file as it was stored. Planning the
inputs and comparing each file's size and modification time with `input_state` needs
neither Prefect (~2 s to import, plus its temporary API server) nor spaCy: this module
imports only the store and the planner. (`newsetl run` spawns the temporary server
before this check, so that a run that is not idle does not wait for it as long; an idle
run stops it at once, while it is still importing.) When every input is a local file unchanged since
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
from newsetl.tasks.plan import RECORD_KINDS, STDIN, hand_over, input_kind, is_url, plan_inputs, unchanged_files
from newsetl.tasks.sanitize import printable_path
from newsetl.tasks.settings import Settings


@dataclass(frozen=True)
class IdleRun:
    """A run that found nothing new: its `runs` row id and how many input files it skipped."""

    run_id: str
    unchanged: int


@dataclass(frozen=True)
class IdleCheck:
    """What the idle check found: the idle run it recorded (None: the flow must run) and,
    when it knows, how many input files are new or changed, all of them one-article files
    (None when unknown or when one of them is a record file, plan.RECORD_KINDS: it can
    hold many articles)."""

    idle: IdleRun | None
    new_files: int | None = None


def run_if_idle(paths: list[str], settings: Settings, retry_quarantined: bool = False) -> IdleRun | None:
    """Record and return an idle run when every input in `paths` is a local file stored
    before with the same size and mtime (and none is to be retried); None when the flow
    must run. Creates or upgrades the schema of an existing database like the flow does;
    never creates a database."""
    return check_idle(paths, settings, retry_quarantined).idle


def check_idle(paths: list[str], settings: Settings, retry_quarantined: bool = False) -> IdleCheck:
    """run_if_idle, also saying how many one-article files are new when that is all the run will read."""
    db = settings.db_path
    if settings.full_refresh or retry_quarantined or not Path(db).is_file():
        return IdleCheck(None)
    if any(str(p) == STDIN or is_url(str(p)) for p in paths):
        return IdleCheck(None)
    started_at = datetime.now(timezone.utc)
    units, missing = plan_inputs(paths, settings)
    hand_over(paths, settings, (units, missing))  # the flow reuses it when the run is not idle
    if missing or not units or any(u.path == STDIN or is_url(u.path) for u in units):
        return IdleCheck(None)
    with store.held(db):  # one open of the file for the checks and the runs row
        return _record_if_idle(paths, settings, units, started_at)


def _record_if_idle(paths: list[str], settings: Settings, units: list, started_at: datetime) -> IdleCheck:
    """check_idle's checks against the database and the runs row of an idle run."""
    db = settings.db_path
    lock = settings.db_lock_timeout_s
    store.migrate(db, lock)
    uris = sorted({printable_path(u.path) for u in units})
    known = store.input_states(db, uris, lock)
    files = {u.path for u in units}
    new = files - unchanged_files(units, known)
    if new:
        records = any(input_kind(path)[0] in RECORD_KINDS for path in new)
        return IdleCheck(None, None if records else len(new))
    version = pipeline_version()
    if store.quarantined_to_retry(db, uris, version, False, lock):
        return IdleCheck(None)
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
    return IdleCheck(IdleRun(run_id, len(files)))

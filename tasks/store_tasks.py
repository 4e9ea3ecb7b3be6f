"""The Prefect tasks wrapping tasks/store.py's writes (a few lines each).

Apart from store.py so that the store imports without Prefect (flows/idle_run.py).
"""

from __future__ import annotations

import time

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from newsetl.tasks import stage_times, store
from newsetl.tasks.records import DedupResult, InputState, Quarantined


# Prefect tasks: the database is the one I/O edge that can be busy (an analyst holding
# the file), so every write retries on top of connect()'s own backoff.
_IO_TASK = {
    "cache_policy": NO_CACHE, "persist_result": False, "retries": 3, "retry_delay_seconds": [2, 10, 30],
    "timeout_seconds": 600, "retry_condition_fn": store.retry_unless_permanent,
}


@task(name="prepare-database", **_IO_TASK)
def migrate_task(db_path: str, lock_timeout_s: float = 120.0) -> list[str]:
    """Prefect task: `migrate`, logging the migrations applied."""
    with stage_times.timed("write"):
        applied = store.migrate(db_path, lock_timeout_s)
    get_run_logger().info("database %s ready; migrations applied now: %s", db_path, applied or "none")
    return applied


@task(name="write-batch", **_IO_TASK)
def write_batch_task(db_path: str, run_id: str, result: DedupResult, lock_timeout_s: float = 120.0) -> int:
    """Prefect task: `write_batch` of a deduplicated batch, in one transaction."""
    started = time.monotonic()
    with stage_times.timed("write"):
        written = store.write_batch(
            db_path, run_id, result.articles, result.decisions, result.band_rows, lock_timeout_s,
            result.story_term_rows, result.doc_terms, result.term_counts, result.sketches,
        )
    get_run_logger().info("stored %d articles in %.2fs", written, time.monotonic() - started)
    return written


@task(name="remember-inputs", **_IO_TASK)
def write_input_states_task(db_path: str, states: list[InputState], lock_timeout_s: float = 120.0) -> None:
    """Prefect task: `write_input_states`, after the articles of the batch are stored."""
    with stage_times.timed("write"):
        store.write_input_states(db_path, states, lock_timeout_s)


@task(name="quarantine", **_IO_TASK)
def write_quarantine_task(db_path: str, run_id: str, items: list[Quarantined], lock_timeout_s: float = 120.0) -> int:
    """Prefect task: `write_quarantine`, logging each quarantined input and why."""
    logger = get_run_logger()
    for item in items:
        logger.warning("quarantined %s at %s: %s", item.source_uri, item.stage, item.error)
    with stage_times.timed("write"):
        return store.write_quarantine(db_path, run_id, items, lock_timeout_s)

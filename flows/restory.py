"""`newsetl restory`: recompute copy groups and stories over the stored articles.

A better story model can be applied to an existing database without re-ingesting: every
dedup decision is forgotten (sql/queries/reset_dedup.sql), then the stored articles are
fed to the same `dedup_against_store` the pipeline uses, in time order (published, else
fetched), in batches, each batch against the articles re-assigned before it. The result
is what a fresh run gives over the same articles given in time order with the same batch
size. Articles, entities and removed lines are left as they are.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from newsetl.tasks import store
from newsetl.tasks.dedup import dedup_against_store
from newsetl.tasks.settings import Settings

log = logging.getLogger("newsetl.restory")


@dataclass(frozen=True)
class RestoryResult:
    """What `restory` did: articles re-assigned, stories and copy groups they now make."""

    articles: int
    stories: int
    copy_groups: int


def restory(db_path: str | Path, batch_size: int = Settings.batch_size, window_days: int = Settings.story_window_days,
            lock_timeout_s: float = Settings.db_lock_timeout_s, on_batch=None) -> RestoryResult:
    """Recompute `dup_group` and `story_id` of every stored article of `db_path`, in time
    order, `batch_size` at a time; `on_batch(n)` is called after each batch of n articles.
    Returns the counts after the run."""
    db_path = str(db_path)
    store.migrate(db_path, lock_timeout_s)
    order = store.dedup_order(db_path, lock_timeout_s)
    store.reset_dedup(db_path, lock_timeout_s)
    for start in range(0, len(order), batch_size):
        batch = store.stored_articles(db_path, order[start : start + batch_size], lock_timeout_s)
        result = dedup_against_store(batch, db_path, window_days, lock_timeout_s)
        store.write_dedup(db_path, "restory", result, lock_timeout_s)
        log.info("restory: %d of %d articles re-assigned", min(start + batch_size, len(order)), len(order))
        if on_batch:
            on_batch(len(batch))
    _, [(stories, groups)] = store.query(
        db_path, "SELECT count(DISTINCT story_id), count(DISTINCT dup_group) FROM articles WHERE is_article", lock_timeout_s
    )
    return RestoryResult(len(order), stories, groups)

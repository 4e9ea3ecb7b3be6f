"""The Prefect tasks wrapping cleanup (a few lines each)."""

from __future__ import annotations

import time
from collections import Counter

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from newsetl.tasks import stage_times, store
from newsetl.tasks.cleanup.batch import clean_batch
from newsetl.tasks.isolation import isolate_failures
from newsetl.tasks.records import Article, Quarantined, StageOutput
from newsetl.tasks.source_chrome import SourceHistory, page_line_keys


@task(name="cleanup", cache_policy=NO_CACHE, persist_result=False)
def clean_task(detected: StageOutput, history: SourceHistory, page_keys: dict[str, frozenset[str]]) -> StageOutput:
    """Prefect task: `clean_articles` over the language-tagged batch, given what storage
    knows of its sources (`source_history_task`); failures quarantined."""
    started = time.perf_counter()
    page_failures: dict[str, Quarantined] = {}

    def clean(batch: list[Article]) -> list[Article]:
        cleaned, failed_pages = clean_batch(batch, history, page_keys)
        page_failures.update((q.doc_id, q) for q in failed_pages)
        return cleaned

    # clean_batch isolates a page that raises; isolate_failures adds the size and time
    # budget (a page over it is quarantined `too_large` / `timeout`, the batch goes on).
    with stage_times.timed("cleanup"):
        done, failed = isolate_failures(clean, detected.articles, "cleanup")
    failed = [*failed, *(q for doc_id, q in page_failures.items() if doc_id not in {f.doc_id for f in failed})]
    reasons = Counter(r.reason for a in done for r in a.removed_lines)
    flagged = Counter(a.not_article_reason for a in done if not a.is_article)
    get_run_logger().info(
        "cleaned %d articles in %.1f s: removed %d lines %s; not articles: %s",
        len(done), time.perf_counter() - started, sum(reasons.values()), dict(reasons.most_common()), dict(flagged) or "none",
    )
    return detected.then(done, failed)


@task(name="source-history", cache_policy=NO_CACHE, persist_result=False, retries=2, retry_delay_seconds=[2, 10], timeout_seconds=600)
def source_history_task(
    articles: list[Article], db_path: str, lock_timeout_s: float = 120.0
) -> tuple[SourceHistory, dict[str, frozenset[str]]]:
    """Prefect task: the batch's page line keys and what storage knows of its sources
    (read briefly, read-only), for `clean_task`, which may then run on any worker."""
    with stage_times.timed("source history"):
        keys = {a.doc_id: page_line_keys(a) for a in articles}
        return store.source_history(db_path, articles, keys, lock_timeout_s), keys

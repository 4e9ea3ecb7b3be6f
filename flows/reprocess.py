"""Backfill: recompute stages of stored articles from their stored `raw_text`, no re-fetching.

When a stage's version changes (a cleanup rule fixed, a new NER model, dedup tuned), the
stored rows it produced are stale: each row's `versions` column says which version of
each stage made it. `newsetl reprocess [--stage cleanup|entities|dedup|all] [--where SQL]`
selects the stored articles whose version of a requested stage differs from the running
one (narrowed by `--where`, a condition over `articles`; `--force` takes every selected
row), and recomputes from the earliest stale stage on — cleanup → entities → dedup, since
each later stage reads what the earlier one made — keeping what comes before it (ingest,
metadata and language are never redone; the stored date is kept, and so is the stored
attribution when cleanup finds none, as it may have come from the page's declared credits,
which are not stored). Batches go through the same Prefect tasks as a run, are
written in one transaction each, and the flow ends with the same progress, `runs` row and
summary; a record a stage fails on is quarantined and its stored row stays as it was.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

from prefect import flow, get_run_logger, runtime
from prefect.states import Completed, State
from prefect.utilities.annotations import opaque

from newsetl.flows import progress
from newsetl.flows.heartbeats import no_heartbeat_join
from newsetl.flows.crashed_runs import mark_crashed_runs, process_identity
from newsetl.flows.pipeline import QUARANTINE_STATE_NAME, RunCounts, RunResult
from newsetl.flows.summary import publish_summary, summary_markdown
from newsetl.flows.versions import pipeline_version
from newsetl.tasks import cleanup as cleanup_stage
from newsetl.tasks import dedup as dedup_stage
from newsetl.tasks.cleanup import clean_task, source_history_task
from newsetl.tasks.dedup import dedup_task
from newsetl.tasks.entities import extract_entities_task
from newsetl.tasks.metadata import settle_metadata_task
from newsetl.tasks.models import model_version
from newsetl.tasks.records import Article, StageOutput
from newsetl.tasks.settings import DEFAULT_DB, Settings
from newsetl.tasks.store import (
    migrate_task, quarantined_inputs, reprocess_candidates, run_summary, stored_articles, write_batch_task,
    write_quarantine_task, write_run,
)

no_heartbeat_join()  # as for `run` (flows/heartbeats.py)

STAGES = ("cleanup", "entities", "dedup")  # in pipeline order: recomputing one redoes those after it
STAGE_CHOICES = (*STAGES, "all")
VERSION_KEYS = {"cleanup": "cleanup", "entities": "ner", "dedup": "dedup"}  # keys of articles.versions


def current_versions(language: str | None) -> dict[str, str | None]:
    """The running version of each stage for an article in `language` (ner: None without a model)."""
    return {
        "cleanup": cleanup_stage.VERSION,
        "ner": model_version(language) if language else None,
        "dedup": dedup_stage.VERSION,
    }


def first_stale_stage(
    stored: dict, current: dict, requested: tuple[str, ...], has_text: bool = True, force: bool = False
) -> str | None:
    """Return the earliest of the `requested` stages whose `stored` version (an article's
    `versions`) differs from `current`, or None when the row is up to date. With `force`,
    the earliest requested stage. An article with no clean text has no entities to redo."""
    for stage in STAGES:
        if stage not in requested or (stage == "entities" and not has_text):
            continue
        key = VERSION_KEYS[stage]
        if force or stored.get(key) != current.get(key):
            return stage
    return None


def reset_from(stage: str, article: Article) -> Article:
    """The stored `article` with what `stage` and the stages after it produce cleared."""
    article = replace(article, text_hash=None, dup_group=None, dup_method=None, dup_score=None, story_id=None, story_score=None)
    if stage in ("cleanup", "entities"):
        article = replace(article, entities=(), ner_model=None)
    if stage == "cleanup":
        article = replace(
            article, clean_text=None, removed_lines=(), byline=None, attribution=None, is_article=True,
            not_article_reason=None, line_keys=frozenset(),
        )
    return article


@flow(name="newsetl-reprocess", persist_result=False, log_prints=True)
def reprocess(
    db: str = DEFAULT_DB,
    stage: str = "all",
    where: str | None = None,
    batch_size: int = 200,
    force: bool = False,
) -> RunResult | State:
    """Recompute `stage` (cleanup, entities, dedup or all) and the stages after it for the
    stored articles of `db` that are stale (or all those matching `where` with `force`),
    from their stored raw_text, `batch_size` articles per batch. Returns a RunResult (in the
    Completed state named QUARANTINE_STATE_NAME when a record was quarantined)."""
    if stage not in STAGE_CHOICES:
        raise ValueError(f"unknown stage {stage!r}: choose one of {', '.join(STAGE_CHOICES)}")
    requested = STAGES if stage == "all" else (stage,)
    settings = Settings(db_path=Path(db), batch_size=batch_size)
    db_path, lock = str(settings.db_path), settings.db_lock_timeout_s
    run_id = str(runtime.flow_run.id)
    started_at = datetime.now(timezone.utc)
    logger = get_run_logger()
    counts = RunCounts()
    status, error = "FAILED", None

    def run_row(status: str, error: str | None) -> dict:
        return {
            "run_id": run_id, "flow_run_name": runtime.flow_run.name, "started_at": started_at,
            "finished_at": datetime.now(timezone.utc), "status": status, "inputs": [f"reprocess {db_path}"],
            "articles_new": counts.articles_new, "articles_unchanged": counts.articles_unchanged,
            "quarantined": counts.quarantined, "entities": counts.entities, "error": error,
            "versions": {
                "batch_size": settings.batch_size, "reprocess": list(requested), "where": where, "force": force,
                "pipeline": pipeline_version(),
            },
            **process_identity(),
        }

    def passed(name: str, count: int, submitted: int) -> None:
        counts.passed[name] += count
        progress.advance(name, count)
        if count != submitted:
            progress.expect(name, count - submitted)

    migrate_task(db_path, lock)
    # Like a run: killed reprocesses before it are written CRASHED, and this one says RUNNING
    # from its start, so a reprocess killed in turn is found by the next run or reprocess.
    for crashed in mark_crashed_runs(db_path, run_id, lock):
        logger.warning("run %s was killed without finishing: its runs row now says CRASHED", crashed)
    write_run(db_path, {**run_row("RUNNING", None), "finished_at": None}, lock)
    try:
        candidates = reprocess_candidates(db_path, where, lock)
        current = {language: current_versions(language) for language in {c[1] for c in candidates}}
        plan = [
            (doc_id, first)
            for doc_id, language, has_text, versions in candidates
            if (first := first_stale_stage(versions, current[language], requested, has_text, force))
        ]
        counts.articles_unchanged = len(candidates) - len(plan)
        logger.info(
            "%d of %d stored articles%s to recompute (%s): from stored raw_text, nothing fetched",
            len(plan), len(candidates), f" matching {where!r}" if where else "", ", ".join(requested),
        )
        starts = [first for _, first in plan]
        progress.expect("inputs", len(plan))
        progress.expect("cleanup", starts.count("cleanup"))
        progress.expect("entities", starts.count("cleanup") + starts.count("entities"))
        progress.expect("dedup", len(plan))
        progress.expect("stored", len(plan))
        for offset in range(0, len(plan), settings.batch_size):
            chunk = dict(plan[offset : offset + settings.batch_size])
            counts.batches += 1
            stored = {a.doc_id: a for a in stored_articles(db_path, list(chunk), lock)}
            articles = [reset_from(chunk[doc_id], a) for doc_id, a in stored.items()]
            passed("inputs", len(articles), len(chunk))
            to_clean = [a for a in articles if chunk[a.doc_id] == "cleanup"]
            from_entities = [a for a in articles if chunk[a.doc_id] == "entities"]
            cleaned = StageOutput([], [])
            if to_clean:
                history, page_keys = source_history_task(opaque(to_clean), db_path, lock)
                cleaned = settle_metadata_task(opaque(clean_task(opaque(StageOutput(to_clean)), opaque(history), page_keys)))
                kept = [replace(a, attribution=a.attribution or stored[a.doc_id].attribution) for a in cleaned.articles]
                cleaned = StageOutput(kept, cleaned.quarantined)
                passed("cleanup", len(cleaned.articles), len(to_clean))
            to_annotate = [*cleaned.articles, *from_entities]
            annotated = extract_entities_task(opaque(cleaned.then(to_annotate, [])), settings.ner_batch_size) if to_annotate else cleaned
            # Counted against what entered the batch, so a record quarantined earlier shrinks the later bars too.
            passed("entities", len(annotated.articles), len(to_clean) + len(from_entities))
            to_dedup = [*annotated.articles, *(a for a in articles if chunk[a.doc_id] == "dedup")]
            if annotated.quarantined:
                counts.add_quarantined(annotated.quarantined)
                write_quarantine_task(db_path, run_id, opaque(annotated.quarantined), lock)
            deduped = dedup_task(opaque(to_dedup), db_path, settings.story_window_days, lock)
            passed("dedup", len(deduped.articles), len(chunk))
            counts.articles_new += write_batch_task(db_path, run_id, opaque(deduped), lock)
            counts.entities += sum(len(a.entities) for a in deduped.articles)
            passed("stored", len(deduped.articles), len(chunk))
        status = "COMPLETED"
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        raise
    finally:
        write_run(db_path, run_row(status, error), lock)

    summary = run_summary(db_path, run_id, lock)
    publish_summary(run_id, summary_markdown(summary, counts.stage_rows(), quarantined_inputs(db_path, run_id, lock), db_path))
    logger.info(
        "reprocess %s: %d articles recomputed, %d up to date, %d quarantined (kept as stored)",
        run_id, counts.articles_new, counts.articles_unchanged, counts.quarantined,
    )
    result = RunResult(run_id, db_path, status, counts, summary)
    if counts.quarantined:
        return Completed(name=QUARANTINE_STATE_NAME, data=result, message=f"{counts.quarantined} articles quarantined, kept as stored")
    return result

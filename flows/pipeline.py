"""The newsetl pipeline flow: ingest -> language -> cleanup -> entities -> dedup -> DuckDB.

Reads top to bottom like the design card. Inputs are planned without reading them,
then processed batch by batch: each stage is one Prefect task per batch, and each batch
is written to DuckDB in one transaction before the next is read, so memory stays flat
and a reader never sees half a batch. The run ends with a `runs` row and a summary
artifact in the Prefect UI.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from prefect import flow, get_run_logger, runtime

from flows.summary import summary_markdown, publish_summary
from tasks.cleanup import clean_task
from tasks.dedup import dedup_task
from tasks.entities import extract_entities_task
from tasks.ingest import batch_units, ingest_task, plan_inputs
from tasks.language import detect_language_task
from tasks.records import Quarantined
from tasks.settings import DEFAULT_DB, Settings
from tasks.store import migrate_task, run_summary, write_batch_task, write_quarantine_task, write_run, write_input_states_task


@dataclass
class RunCounts:
    """Counters a run accumulates across batches; they end up in the `runs` row."""

    batches: int = 0
    articles_new: int = 0
    articles_unchanged: int = 0
    quarantined: int = 0
    entities: int = 0
    quarantined_by_stage: dict[str, int] = field(default_factory=dict)

    def add_quarantined(self, items: list[Quarantined]) -> None:
        self.quarantined += len(items)
        for item in items:
            self.quarantined_by_stage[item.stage] = self.quarantined_by_stage.get(item.stage, 0) + 1


@dataclass(frozen=True)
class RunResult:
    """What a flow run returns: its id, counts and the summary rows (section, name, count)."""

    run_id: str
    db_path: str
    status: str
    counts: RunCounts
    summary: list[tuple[str, str, int]]


@flow(name="newsetl", persist_result=False, log_prints=True)
def pipeline(paths: list[str], db: str = DEFAULT_DB, batch_size: int = 200, full_refresh: bool = False) -> RunResult:
    """Run the five stages over files, folders and URLs and store the results in the DuckDB file `db`.

    Inputs stored before with the same content are skipped unless `full_refresh`.
    """
    settings = Settings(db_path=Path(db), batch_size=batch_size, full_refresh=full_refresh)
    db_path = str(settings.db_path)
    lock = settings.db_lock_timeout_s
    run_id = str(runtime.flow_run.id)
    started_at = datetime.now(timezone.utc)
    logger = get_run_logger()
    counts = RunCounts()
    status, error = "FAILED", None

    migrate_task(db_path, lock)
    try:
        units, missing = plan_inputs(paths, settings)
        logger.info("planned %d input units from %s", len(units), paths)
        if missing:
            counts.add_quarantined(missing)
            write_quarantine_task(db_path, run_id, missing, lock)

        for units_batch in batch_units(units, settings.batch_size):
            counts.batches += 1
            articles, bad, unchanged, input_states = ingest_task(units_batch, settings)
            counts.articles_unchanged += unchanged
            if bad:
                counts.add_quarantined(bad)
                write_quarantine_task(db_path, run_id, bad, lock)
            # A JSONL byte range can hold more articles than a batch: split it.
            for start in range(0, len(articles), settings.batch_size):
                batch = articles[start : start + settings.batch_size]
                batch, bad_lang = detect_language_task(batch)
                batch, bad_clean = clean_task(batch, db_path, lock)
                batch, bad_ner = extract_entities_task(batch, settings.ner_batch_size)
                deduped = dedup_task(batch, db_path, settings.story_window_days, lock)
                quarantined = bad_lang + bad_clean + bad_ner
                if quarantined:
                    counts.add_quarantined(quarantined)
                    write_quarantine_task(db_path, run_id, quarantined, lock)
                counts.articles_new += write_batch_task(db_path, run_id, deduped, lock)
                counts.entities += sum(len(a.entities) for a in deduped.articles)
            if input_states:  # only once their articles are stored: a crash before must refetch
                write_input_states_task(db_path, input_states, lock)
        status = "COMPLETED"
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        raise
    finally:
        write_run(
            db_path,
            {
                "run_id": run_id, "flow_run_name": runtime.flow_run.name, "started_at": started_at,
                "finished_at": datetime.now(timezone.utc), "status": status, "inputs": [str(p) for p in paths],
                "articles_new": counts.articles_new, "articles_unchanged": counts.articles_unchanged,
                "quarantined": counts.quarantined, "entities": counts.entities, "error": error,
                "versions": {"batch_size": settings.batch_size, "full_refresh": settings.full_refresh},
            },
            lock,
        )

    summary = run_summary(db_path, run_id, lock)
    publish_summary(run_id, summary_markdown(summary, counts.articles_unchanged, db_path))
    logger.info(
        "run %s: %d new articles, %d unchanged, %d quarantined, %d entity mentions",
        run_id, counts.articles_new, counts.articles_unchanged, counts.quarantined, counts.entities,
    )
    return RunResult(run_id, db_path, status, counts, summary)

"""The newsetl pipeline flow: ingest -> metadata -> language -> cleanup -> entities -> dedup -> DuckDB.

Reads top to bottom like the design card. Inputs are planned without reading them,
then processed batch by batch: each stage is one Prefect task per batch. The CPU stages
(language, cleanup, entities) are submitted to the flow's task runner (threads,
processes or Dask, see flows/runners.py) a few batches ahead; the flow itself dedups
and writes each batch to DuckDB in one transaction, in input order, so memory stays
flat, DuckDB has a single writer and a reader never sees half a batch. The run ends
with a `runs` row and a summary artifact in the Prefect UI.

With several batches in flight, a batch is cleaned knowing the sources' pages stored
before it was submitted (plus its own pages): per-source chrome learning lags by at
most `batches_in_flight - 1` batches.
"""

from __future__ import annotations

import json
import time
from collections import Counter, deque
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from prefect import flow, get_run_logger, runtime
from prefect.futures import PrefectFuture
from prefect.utilities.annotations import allow_failure, opaque
from prefect.states import Completed, State

from newsetl.flows import progress
from newsetl.flows.crashed_runs import mark_crashed_runs, process_identity
from newsetl.flows.heartbeats import no_heartbeat_join
from newsetl.flows.runners import RunnerChoice, build_task_runner, resolve_ner_processes
from newsetl.flows.summary import summary_markdown, publish_summary
from newsetl.flows.versions import pipeline_version
from newsetl.tasks import stage_times
from newsetl.tasks.cleanup import clean_task, source_history_task
from newsetl.tasks.dedup import dedup_task
from newsetl.tasks.entities import extract_entities_task
from newsetl.tasks.ingest import batch_units, drop_unchanged_files, expand_feeds, ingest_task
from newsetl.tasks.plan import is_url, planned
from newsetl.tasks.isolation import cancel_stages_on_stop
from newsetl.tasks.language import detect_language_task
from newsetl.tasks.metadata import extract_metadata_task, settle_metadata_task
from newsetl.tasks.ner_processes import MIN_TEXTS_TO_START
from newsetl.tasks.ner_processes import shutdown as shutdown_ner_processes
from newsetl.tasks.ner_processes import start as start_ner_processes
from newsetl.tasks.records import InputState, Quarantined
from newsetl.tasks.sanitize import printable_path
from newsetl.tasks.settings import DEFAULT_DB, Settings
from newsetl.tasks.store import (
    StorageError, close_quarantine, held, migrate_task, quarantined_inputs, quarantined_to_retry, run_summary, write_batch_task,
    write_input_states_task, write_quarantine_task, write_run,
)
from newsetl.flows.stops import RunStopped

no_heartbeat_join()  # a run's end does not wait for Prefect's heartbeat thread (flows/heartbeats.py)

# The state a completed run that quarantined inputs ends in: type COMPLETED (the data is
# stored, the exit status is 3), but a name of its own, so the Prefect UI's run list and
# the API (`state.name`) tell it from a run that stored everything.
QUARANTINE_STATE_NAME = "Completed with quarantine"


@dataclass
class RunCounts:
    """Counters a run accumulates across batches; they end up in the `runs` row."""

    batches: int = 0
    articles_new: int = 0
    articles_unchanged: int = 0
    quarantined: int = 0
    entities: int = 0
    quarantined_by_stage: dict[str, int] = field(default_factory=dict)
    passed: Counter = field(default_factory=Counter)  # items through each progress stage

    def stage_rows(self) -> list[tuple[str, int]]:
        """(stage, count) in pipeline order: inputs read, articles through each stage, quarantined."""
        rows = [(stage, self.passed[stage]) for stage in progress.STAGES]
        return [*rows, ("unchanged inputs (skipped)", self.articles_unchanged), ("quarantined", self.quarantined)]

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


# Batches go to tasks wrapped in `opaque`: Prefect then resolves a future to its result
# but does not walk every Article, entity and removed line of it looking for nested
# futures (twice per task call); that walk cost ~2.7 s per call on a 200-article batch
# on a busy machine, most of what the run spent outside its stages.
@dataclass(frozen=True)
class PendingBatch:
    """A batch whose CPU stages were submitted to the task runner, waiting to be stored."""

    language: PrefectFuture
    cleaned: PrefectFuture
    annotated: PrefectFuture
    size: int  # articles submitted
    input_states: list[InputState]  # stored once this batch (the last of its inputs) is


@flow(name="newsetl", persist_result=False, log_prints=True)
def pipeline(
    paths: list[str],
    db: str = DEFAULT_DB,
    batch_size: int = 200,
    full_refresh: bool = False,
    task_runner: str = "threads",
    workers: int | None = None,
    dask_address: str | None = None,
    retry_quarantined: bool = False,
    allow_private_addresses: bool = False,
    ner_processes: int | None = None,
) -> RunResult | State:
    """Run the five stages over files, folders and URLs and store the results in the DuckDB file `db`.

    Inputs stored before with the same content are skipped unless `full_refresh`; inputs
    quarantined by another pipeline version (flows/versions.py) are read again once, or
    every quarantined input with `retry_quarantined`. A run that quarantined inputs ends in
    the Completed state named QUARANTINE_STATE_NAME (calling the flow still returns the
    RunResult). The CPU
    stages run on `task_runner` (threads, processes or dask; `workers` of them; an existing
    Dask cluster at `dask_address`), a few batches at once; dedup and the DuckDB writes
    stay in the flow, one batch at a time, in input order. `ner_processes` worker processes
    run NER beside the threads runner (None: one per CPU on 2+ cores; 0: NER in this
    process; flows/runners.py). `allow_private_addresses` lets feed links and redirects
    reach internal addresses (tasks/netpolicy.py).
    """
    # The runner is chosen by parameters, not by decorating the flow, so that deployments
    # (newsetl serve, prefect.yaml) can pick it per schedule like any other setting.
    runner_choice = RunnerChoice(task_runner, workers, dask_address, resolve_ner_processes(task_runner, ner_processes))
    batches_in_flight = runner_choice.batches_in_flight
    # `opaque` on the runner's tasks only with threads: prefect-dask hands the wrapper to
    # the task as a plain tuple (measured: the dask runner failed); the flow's own tasks
    # run in this process and always get it.
    on_runner = opaque if runner_choice.kind == "threads" else (lambda value: value)

    def in_batch_order(previous_cleanup: PrefectFuture | None) -> list | None:
        # Threads share one interpreter: language detection and cleanup of the batches in
        # flight ran at once and shared the GIL, so the first batch reached NER only when
        # all of them were nearly clean (10 s into a 1,552-article run, NER workers idle).
        # A batch's detection waits for the previous batch's cleanup instead: the same
        # CPU, batches ready one after another. A failed cleanup does not stop the next.
        # Worth little on a quiet machine: 1,552 synd_dev articles, default settings, 4
        # interleaved pairs: 56.9 s mean wall against 58.0 s without (spread 54-60 s each).
        if runner_choice.kind != "threads" or previous_cleanup is None:
            return None
        return [allow_failure(previous_cleanup)]

    settings = Settings(db_path=Path(db), batch_size=batch_size, full_refresh=full_refresh, allow_private_addresses=allow_private_addresses)
    db_path = str(settings.db_path)
    lock = settings.db_lock_timeout_s
    run_id = str(runtime.flow_run.id)
    started_at = datetime.now(timezone.utc)
    flow_started = time.perf_counter()
    stage_times.reset()
    logger = get_run_logger()
    counts = RunCounts()
    status, error = "FAILED", None

    def run_row(status: str, error: str | None) -> dict:
        return {
            "run_id": run_id, "flow_run_name": runtime.flow_run.name, "started_at": started_at,
            "finished_at": datetime.now(timezone.utc), "status": status, "inputs": [str(p) for p in paths],
            "articles_new": counts.articles_new, "articles_unchanged": counts.articles_unchanged,
            "quarantined": counts.quarantined, "entities": counts.entities, "error": error,
            "versions": {"batch_size": settings.batch_size, "full_refresh": settings.full_refresh, "pipeline": pipeline_version()},
            **process_identity(),
        }

    def quarantine(items: list[Quarantined]) -> None:
        if items:
            counts.add_quarantined(items)
            write_quarantine_task(db_path, run_id, opaque(items), lock)

    def passed(stage: str, count: int, submitted: int) -> None:
        counts.passed[stage] += count
        progress.advance(stage, count)
        if count != submitted:  # quarantined on the way: the bar's total shrinks with them
            progress.expect(stage, count - submitted)

    def store_oldest(pending: deque[PendingBatch]) -> None:
        batch = pending.popleft()
        for stage, future in (("language", batch.language), ("cleanup", batch.cleaned)):
            passed(stage, len(future.result().articles), batch.size)
        annotated = batch.annotated.result()
        passed("entities", len(annotated.articles), batch.size)
        quarantine(annotated.quarantined)
        with held(db_path):  # dedup's reads and the batch's writes: one open of the file
            try:
                deduped = [dedup_task(opaque(annotated.articles), db_path, settings.story_window_days, lock)]
                counts.articles_new += write_batch_task(db_path, run_id, opaque(deduped[0]), lock)
                passed("dedup", len(deduped[0].articles), batch.size)
            except StorageError:
                raise  # the database, not a record: every record would fail the same way
            except Exception as exc:  # noqa: BLE001 - one record must not cost the batch: one at a time
                logger.warning("dedup or write failed for the batch (%s): storing its articles one by one", exc)
                deduped = store_one_by_one(annotated.articles, batch.size)
            counts.entities += sum(len(a.entities) for d in deduped for a in d.articles)
            passed("stored", sum(len(d.articles) for d in deduped), batch.size)
            if batch.input_states:  # only once their articles are stored: a crash before must refetch
                write_input_states_task(db_path, opaque(batch.input_states), lock)

    def store_one_by_one(articles: list, submitted: int) -> list:
        """Dedup and write each article on its own, in order (each sees the ones stored
        before it); an article that fails is quarantined at stage `store`."""
        done = []
        for article in articles:
            try:
                one = dedup_task.fn([article], db_path, settings.story_window_days, lock)
                counts.articles_new += write_batch_task.fn(db_path, run_id, one, lock)
                done.append(one)
            except StorageError:
                raise
            except Exception as exc:  # noqa: BLE001
                quarantine([Quarantined(article.source_uri, "store", f"{type(exc).__name__}: {exc}", doc_id=article.doc_id, content_hash=article.content_hash)])
        passed("dedup", sum(len(d.articles) for d in done), submitted)
        return done

    try:
        with held(db_path):  # schema, crashed runs, this run's row: one open of the file (tasks/store.held)
            migrate_task(db_path, lock)
            # Runs of this database killed before (no end row): written CRASHED; then this
            # run's own RUNNING row, replaced by its end row (flows/crashed_runs.py).
            for crashed in mark_crashed_runs(db_path, run_id, lock):
                logger.warning("run %s was killed without finishing: its runs row now says CRASHED", crashed)
            write_run(db_path, {**run_row("RUNNING", None), "finished_at": None}, lock)
        with stage_times.timed("plan"):
            units, missing = planned(paths, settings)  # `newsetl run`'s idle check planned them already
        logger.info("planned %d input units from %s", len(units), paths)
        if not units and not missing:
            logger.warning("nothing to read in %s: no files with a supported suffix", paths)
        progress.expect("inputs", len(units))
        quarantine(missing)
        version = pipeline_version()
        # Quarantine rows name inputs by their printable path (non-UTF-8 file names escaped).
        with held(db_path):  # inputs to retry, stored input states: one open of the file
            retry = frozenset(quarantined_to_retry(db_path, [printable_path(u.path) for u in units], version, retry_quarantined, lock))
            if retry:
                logger.info(
                    "reading again %d inputs quarantined %s", len(retry),
                    "before (--retry-quarantined)" if retry_quarantined else f"by another pipeline version than {version}",
                )

            with stage_times.timed("ingest"):  # the unchanged files' check, once for the whole run
                units, skipped_units, skipped_files = drop_unchanged_files(units, settings, retry)
        passed("inputs", skipped_units, skipped_units)
        counts.articles_unchanged += skipped_files

        with build_task_runner(runner_choice) as runner, cancel_stages_on_stop():
            pending: deque[PendingBatch] = deque()
            last_cleaned: PrefectFuture | None = None
            # Feeds are expanded into their entries as the loop reaches them, and each batch
            # of entries is fetched, cleaned and stored before the next is fetched.
            expanded = expand_feeds(units, settings, retry, on_expanded=lambda more: progress.expect("inputs", more))
            for units_batch in batch_units(expanded, settings.batch_size):
                counts.batches += 1
                fetched = any(is_url(u.path) for u in units_batch)
                # Local files: their stored states and hashes read with one open of the
                # file. Never held while pages are fetched from the network.
                with nullcontext() if fetched else held(db_path):
                    articles, bad, unchanged, input_states = ingest_task(opaque(units_batch), settings, retry)
                # Pages fetched from the network (feed entries, URLs) are stored before the
                # next batch is fetched: memory holds one batch of pages, and a run stopped
                # mid-feed keeps every batch it fetched. Local inputs are read ahead
                # (batches_in_flight) so their NER overlaps the next batch's cleanup.
                passed("inputs", len(units_batch), len(units_batch))
                counts.articles_unchanged += unchanged
                quarantine(bad)
                if len(articles) >= MIN_TEXTS_TO_START:  # enough new articles to use NER workers: start them now
                    start_ner_processes(runner_choice.ner_processes)
                # A JSONL byte range can hold more articles than a batch: split it.
                batches = [articles[i : i + settings.batch_size] for i in range(0, len(articles), settings.batch_size)]
                for stage in progress.STAGES[1:]:
                    progress.expect(stage, len(articles))
                for index, batch in enumerate(batches):
                    # In the flow, not on the runner: the source it settles (a URL's domain
                    # rather than the folder) is what the source history is read for.
                    submitted = len(batch)
                    with_metadata = extract_metadata_task(opaque(batch))
                    quarantine(with_metadata.quarantined)
                    batch = with_metadata.articles
                    history, page_keys = source_history_task(opaque(batch), db_path, lock)
                    language = runner.submit(detect_language_task, {"articles": on_runner(batch)}, wait_for=in_batch_order(last_cleaned))
                    cleaned = runner.submit(clean_task, {"detected": on_runner(language), "history": on_runner(history), "page_keys": on_runner(page_keys)})
                    settled = runner.submit(settle_metadata_task, {"cleaned": on_runner(cleaned)})
                    annotated = runner.submit(extract_entities_task, {"cleaned": on_runner(settled), "batch_size": settings.ner_batch_size, "processes": runner_choice.ner_processes})
                    last_cleaned = cleaned
                    last = index == len(batches) - 1
                    pending.append(PendingBatch(language, cleaned, annotated, submitted, input_states if last else []))
                    while len(pending) >= (1 if fetched else batches_in_flight):
                        store_oldest(pending)
                if not batches and input_states:
                    write_input_states_task(db_path, opaque(input_states), lock)
            while pending:
                store_oldest(pending)
        close_quarantine(db_path, run_id, version, sorted(retry), lock)
        status = "COMPLETED"
    except RunStopped as exc:  # SIGINT/SIGTERM: say so, and which signal
        status, error = "CANCELLED", str(exc)
        raise
    except KeyboardInterrupt:
        status, error = "CANCELLED", "interrupted (SIGINT)"
        raise
    except BaseException as exc:
        error = str(exc) if isinstance(exc, StorageError) else f"{type(exc).__name__}: {exc}"
        if type(exc).__name__ == "TerminationSignal":  # Prefect's SIGTERM bridge
            status, error = "CANCELLED", "terminated (SIGTERM)"
        raise
    finally:
        # Their models' memory is the run's, not the process's. Not waited for: a worker's
        # exit (~0.25 s, joining its threads) overlaps the run's end row, summary and the
        # flow run's final state instead of preceding them.
        shutdown_ner_processes(wait=False)
        write_run(db_path, run_row(status, error), lock)

    with stage_times.timed("summary"), held(db_path):
        summary = run_summary(db_path, run_id, lock)
        quarantined = quarantined_inputs(db_path, run_id, lock)
    publish_summary(run_id, summary_markdown(summary, counts.stage_rows(), quarantined, db_path))
    logger.info(
        "run %s: %d new articles, %d unchanged, %d quarantined, %d entity mentions",
        run_id, counts.articles_new, counts.articles_unchanged, counts.quarantined, counts.entities,
    )
    # Where the flow's time went (bench/pipeline.py reads this line): the stages' own
    # seconds; the rest of `flow` is Prefect's bookkeeping and waiting on the runner.
    seconds = {"flow": time.perf_counter() - flow_started, **stage_times.snapshot()}
    logger.info("stage seconds: %s", json.dumps({k: round(v, 3) for k, v in seconds.items()}))
    result = RunResult(run_id, db_path, status, counts, summary)
    if counts.quarantined:
        return Completed(
            name=QUARANTINE_STATE_NAME, data=result,
            message=f"{counts.quarantined} inputs quarantined: SELECT * FROM quarantine WHERE run_id = '{run_id}'",
        )
    return result


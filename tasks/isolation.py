"""Run a batch stage so that one bad record is quarantined instead of failing or holding the batch.

Three guards, in the CPU stages (language, cleanup, entities):

* an error in one record: the batch is re-run record by record and only the failing
  records are quarantined, each with its error;
* a record too big to parse in bounded time and memory: quarantined with `too_large`
  before the stage sees it (a 20 MB single-line file or a page of a million elements held
  a batch for minutes at 2.5 GB);
* a record that takes too long: the stage is stopped at a deadline (see `deadline`), the
  batch re-run record by record, each with its own deadline, and the slow record is
  quarantined with `timeout`.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from newsetl.tasks.records import Article, Quarantined


@dataclass(frozen=True)
class Budget:
    """What one article may cost a CPU stage."""

    # Characters of raw text (HTML or plain). The largest page of the seven cleanup
    # benchmark sets is 2.0 MB (their scripts stripped; real pages with inline scripts
    # reach a few MB): 8 M is 4x that. No benchmark page is near it, so any cap above
    # ~2 M gives the same figures.
    max_chars: int = 8_000_000
    # Markup elements (counted as '<'): the benchmark pages have at most 21,061 (median
    # 600-2,000); 200,000 is ~10x that, and far below the million-element pages that held
    # a batch for 426 s.
    max_tags: int = 200_000
    # Seconds one article may take in one stage on its own. Measured on the five largest
    # benchmark pages (1.1-2.0 MB): the slowest took 11.8 s in cleanup (a fundus-tests
    # page), the others under 2.1 s in any stage. 60 s is 5x the slowest; any value above
    # ~12 s quarantines no benchmark page.
    seconds: float = 60.0
    # A whole batch may take `seconds` plus this much per article before it is re-run one
    # by one (normal articles cost far less; a larger value only delays finding the slow one).
    seconds_per_article_in_batch: float = 2.0

    def batch_seconds(self, size: int) -> float:
        return self.seconds + self.seconds_per_article_in_batch * size


DEFAULT_BUDGET = Budget()


class StageCancelled(BaseException):
    """Raised inside a running stage when the run is stopping (SIGINT/SIGTERM): the worker
    thread gives up its batch at once instead of finishing it for nobody."""


# Threads of this process running a stage now (thread id -> how many nested stages).
_running: dict[int, int] = {}
_running_lock = threading.Lock()


@contextmanager
def _registered() -> Iterator[None]:
    me = threading.get_ident()
    with _running_lock:
        _running[me] = _running.get(me, 0) + 1
    try:
        yield
    finally:
        with _running_lock:
            _running[me] -= 1
            if not _running[me]:
                del _running[me]


@contextmanager
def cancel_stages_on_stop() -> Iterator[None]:
    """Around the flow's batch loop: when it is left by a stop (KeyboardInterrupt, a
    termination signal, anything that is not an Exception), raise `StageCancelled` in every
    thread of this process still running a stage, so the task runner's shutdown does not
    wait for batches nobody will store. Worker processes (processes, Dask) are not reached:
    they get the terminal's SIGINT themselves, or end with the run."""
    try:
        yield
    except Exception:
        raise
    except BaseException:
        with _running_lock:
            for thread_id in list(_running):
                _raise_in_thread(thread_id, StageCancelled)
        raise


class StageTimeout(BaseException):
    """Raised inside a stage when its deadline passes. A BaseException so that the stage's
    own `except Exception` handlers cannot swallow it."""


def _raise_in_thread(thread_id: int, exc_type: type[BaseException] | None) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(exc_type) if exc_type else None)


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Raise `StageTimeout` in the calling thread if the block runs longer than `seconds`.

    A watchdog thread asks the interpreter to raise the exception in this thread
    (PyThreadState_SetAsyncExc): it works in any thread of any worker process (threads,
    processes, Dask), but only between Python bytecodes, so a long call into C (one
    huge lxml parse) ends first; the size caps keep those short.
    """
    target = threading.get_ident()
    lock = threading.Lock()
    state = {"finished": False, "fired": False}
    stop = threading.Event()

    def watch() -> None:
        if stop.wait(seconds):
            return
        with lock:
            if not state["finished"]:
                state["fired"] = True
                _raise_in_thread(target, StageTimeout)

    watcher = threading.Thread(target=watch, name="newsetl-deadline", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        with lock:
            state["finished"] = True
        stop.set()
        if state["fired"]:
            _raise_in_thread(target, None)  # clear it if it is still pending: raised here, once
            raise StageTimeout()


def over_budget(article: Article, stage: str, budget: Budget) -> Quarantined | None:
    """Return a `too_large` quarantine record when the article is over the size caps, else None."""
    text = article.raw_text
    if len(text) > budget.max_chars:
        reason = f"too_large: {len(text):,} characters, over the {budget.max_chars:,} limit"
    elif (tags := text.count("<")) > budget.max_tags:
        reason = f"too_large: {tags:,} markup elements, over the {budget.max_tags:,} limit"
    else:
        return None
    return Quarantined(source_uri=article.source_uri, stage=stage, error=reason, doc_id=article.doc_id, content_hash=article.content_hash)


def isolate_failures(
    stage_fn: Callable[[list[Article]], list[Article]], articles: list[Article], stage: str,
    budget: Budget = DEFAULT_BUDGET,
) -> tuple[list[Article], list[Quarantined]]:
    """Apply `stage_fn` to the batch within its time budget; if it raises or runs out of
    time, apply it record by record, each within `budget.seconds`.

    Returns (the records it processed, a `Quarantined` for each record it failed on:
    `too_large`, `timeout`, or the error). Only those records are lost to later stages.
    """
    failed: list[Quarantined] = []
    fit: list[Article] = []
    for article in articles:
        too_big = over_budget(article, stage, budget)
        (failed.append(too_big) if too_big else fit.append(article))
    if not fit:
        return [], failed
    with _registered():
        return _run_isolated(stage_fn, fit, stage, budget, failed)


def _run_isolated(
    stage_fn: Callable[[list[Article]], list[Article]], fit: list[Article], stage: str, budget: Budget, failed: list[Quarantined]
) -> tuple[list[Article], list[Quarantined]]:
    try:
        with deadline(budget.batch_seconds(len(fit))):
            return stage_fn(fit), failed
    except StageTimeout:
        pass
    except Exception:  # noqa: BLE001 - any failure is isolated below and reported per record
        pass
    done: list[Article] = []
    for article in fit:
        try:
            with deadline(budget.seconds):
                done.extend(stage_fn([article]))
        except StageTimeout:
            failed.append(Quarantined(
                source_uri=article.source_uri, stage=stage, error=f"timeout: over {budget.seconds:.0f} s in {stage}",
                doc_id=article.doc_id, content_hash=article.content_hash,
            ))
        except Exception as exc:  # noqa: BLE001
            failed.append(
                Quarantined(
                    source_uri=article.source_uri,
                    stage=stage,
                    error=f"{type(exc).__name__}: {exc}",
                    doc_id=article.doc_id,
                    content_hash=article.content_hash,
                )
            )
    return done, failed

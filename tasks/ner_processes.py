"""spaCy NER in worker processes: the costliest stage on the machine's other cores.

NER is the floor of the pipeline's cost (about half of a run's CPU), pure Python and
numpy that holds the GIL: a second thread only contends with the first. So with
`processes` > 0 the entities stage sends each language's texts to a pool of worker
processes, split in one chunk per process. Each worker loads its models once
(tasks/models.load_ner, the same pipelines, same place gazetteer) and returns only the
entity spans — (start, end, label) per text: a few KB, where a spaCy Doc would be MBs.
Canonical names, kinds and entity ids are computed in the calling process from the
spans exactly as from a Doc (tasks/entities.entities_of), so the stored entities do not
depend on where NER ran.

While a batch's NER runs in the workers, the run's own process cleans the next batch and
stores the previous one. `newsetl run` starts the pool with one worker loading the English
model as soon as its idle check finds something new (flows/cli.py), so that spaCy loads on
another core while the run's process imports Prefect (a run that finds one new article
never imports spaCy itself); the run's first batch of new articles warms up the other
workers (`start`) while that batch is cleaned. The pool lives until the run ends (`shutdown`); workers are spawned, not forked (the run
process has Prefect's threads), and each holds one copy of each model it was asked for.
A worker that dies (a crash in native code, the OOM killer) breaks the pool: the call
raises, the pool is discarded and the next call starts a new one, so the stage's failure
isolation (tasks/isolation.py) retries the batch in halves and quarantines only the
article that kills a worker — where in-process NER would take the whole run down.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import wait as wait_for_futures
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from newsetl.tasks.ner_pieces import Span, entity_spans

# A call with fewer texts runs NER in the calling process unless the pool is already up:
# starting the workers (spawn, import spaCy, load the model: ~2-4 s on this machine) costs
# about what in-process NER of 50 articles does (~50 ms each), so a run that finds a
# handful of new articles does not pay for processes it cannot use. Only speed depends on it.
MIN_TEXTS_TO_START = 50
# A worker is replaced after this many calls (~100 texts each with batches of 200): spaCy's
# string store only grows with the new words it sees, so a worker that read a whole archive
# would hold every token of it. Replacing one costs a model load (~1-2 s) per ~4,000 texts,
# well under 1% of their NER time; memory then stays flat however long the run.
MAX_CALLS_PER_WORKER = 40
# NER workers run at a lower priority than the run's own process: that process (detection,
# cleanup, dedup, writes) feeds the workers and stores their results, so it must never wait
# for a core; the workers take whatever CPU it leaves. See default_processes and
# `_lower_priority` (the first worker of `newsetl run` loads its model at the run's priority).
WORKER_NICENESS = 10
# How often a worker checks that the run's process is still there.
PARENT_CHECK_S = 1.0


def default_processes() -> int:
    """NER worker processes for a run that does not choose: one per CPU on a machine with two
    or more, none on a single core. The workers run at a lower priority (WORKER_NICENESS), so
    the run's own process — about 40% of the CPU a run needs — never waits for a core, and
    the workers use every cycle it leaves. Measured on 2 cores with another job running (600
    synd_dev articles, interleaved pairs, in-process vs default): 39.4/31.7, 40.6/40.3,
    47.0/44.9, 41.2/31.0 s. Two workers at normal priority left the run's process half a core
    (its stages took twice their one-process time); one worker gained nothing measurable."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return cores if cores >= 2 else 0


@dataclass(frozen=True)
class SpanEntity:
    """An entity span as entities_of reads it from a spaCy Span."""

    start_char: int
    end_char: int
    label_: str


@dataclass(frozen=True)
class SpanDoc:
    """A text and its entity spans: what entities_of reads from a spaCy Doc."""

    text: str
    ents: tuple[SpanEntity, ...]


def span_docs(texts: list[str], spans: list[list[Span]]) -> list[SpanDoc]:
    """One SpanDoc per text from its entity spans."""
    return [SpanDoc(text, tuple(SpanEntity(*span) for span in text_spans)) for text, text_spans in zip(texts, spans)]


def spans_of(lang: str, texts: list[str], batch_size: int) -> tuple[str | None, list[list[Span]]]:
    """In a worker: return (model version, entity spans per text) for `texts` in `lang`
    (None and no spans when no model serves the language)."""
    from newsetl.tasks.models import load_ner, model_version

    _lower_priority()
    nlp = load_ner(lang)
    if nlp is None:
        return None, [[] for _ in texts]
    return model_version(lang), entity_spans(nlp, texts, batch_size)


def _submit(pool: ProcessPoolExecutor, fn, *args) -> Future:
    """pool.submit(fn, *args) with SIGINT blocked in the calling thread meanwhile.

    Ctrl-C in a terminal signals the whole process group, workers included, and a worker
    still starting (Python's start-up, re-importing the run's main module) printed a
    KeyboardInterrupt traceback beside the run's one-line "run stopped" (test_stops). The
    pool spawns its workers inside submit, or from its manager thread, which submit
    creates: a blocked signal mask is inherited by both and kept across exec, so every
    worker starts with SIGINT blocked until `_init_worker` ignores it. A SIGINT meanwhile
    goes to another thread of the run's process, whose handler stops the run as before."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        return pool.submit(fn, *args)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _init_worker(parent: int) -> None:
    """Worker initializer: ignore SIGINT (the run's process owns a stop: it cancels the
    pool's calls and ends), and end this worker once the process that started it is gone.

    A run killed with SIGKILL runs no cleanup, and a worker waiting for work would
    otherwise stay forever (measured: it did, with the resource tracker beside it). A
    thread rather than a parent-death signal: that signal follows the *thread* that
    spawned the worker, and the pool spawns from whichever thread submits."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # blocked by _submit; a pending one is now ignored

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_S)
        os._exit(1)

    threading.Thread(target=watch, name="newsetl-parent-watch", daemon=True).start()


_lowered = False  # in a worker: whether it runs at WORKER_NICENESS yet


def _lower_priority() -> None:
    """In a worker: from now on run at WORKER_NICENESS below the run's process (once). An
    urgent warm-up (`start`) calls it only once the model is loaded: a run of one new
    article waits for that load, which at niceness 10 on a busy machine ended 0.7-1.1 s
    after the run's own imports (NER stage 0.93-1.35 s against 0.24-0.29 s, 4 runs each)."""
    global _lowered
    if WORKER_NICENESS and not _lowered:
        os.nice(WORKER_NICENESS)
    _lowered = True


_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_pool_size = 0
_warming: list[Future] = []  # the pool's warm-up calls (`start`), one per worker asked to load


def _get_pool(processes: int) -> ProcessPoolExecutor:
    global _pool, _pool_size
    with _lock:
        if _pool is None or _pool_size != processes:
            if _pool is not None:
                _pool.shutdown(wait=False, cancel_futures=True)
            _warming.clear()
            _pool = ProcessPoolExecutor(
                max_workers=processes, mp_context=multiprocessing.get_context("spawn"), max_tasks_per_child=MAX_CALLS_PER_WORKER,
                initializer=_init_worker, initargs=(os.getpid(),),
            )
            _pool_size = processes
        return _pool


def _discard(pool: ProcessPoolExecutor) -> None:
    global _pool
    with _lock:
        if _pool is pool:
            _pool = None
            _warming.clear()
    pool.shutdown(wait=False, cancel_futures=True)


def shutdown(wait: bool = True) -> None:
    """Stop the worker processes (the next call starts new ones); with `wait` False, tell
    them to exit and return at once: the pool's own thread joins them in the background
    (and the interpreter's exit joins that thread)."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
        _warming.clear()
    if pool is not None:
        pool.shutdown(wait=wait, cancel_futures=True)


atexit.register(shutdown)


def _load(lang: str, urgent: bool = False) -> bool:
    """In a worker: load `lang`'s model (the pool's warm-up call) at WORKER_NICENESS, or at
    the run's priority when `urgent` (the run will wait for it), and lower it after."""
    from newsetl.tasks.models import load_ner

    if not urgent:
        _lower_priority()
    try:
        return load_ner(lang) is not None
    finally:
        _lower_priority()


def start(processes: int, lang: str = "en", warm: int | None = None, urgent: bool = False) -> None:
    """Start a pool of `processes` workers now, without waiting, `warm` of them (default:
    all) loading `lang`'s model; with the pool up, warm more of them up to `warm`. Called
    when a run's first batch of new articles is read, so that the workers' start (~2-4 s:
    spawn, import spaCy, load the model) overlaps that batch's detection and cleanup
    instead of delaying its NER, and by `newsetl run` for one worker as soon as it knows
    there is something new (flows/cli.py), `urgent`: that worker loads at the run's own
    priority, since a run of a few new articles waits for it. Does nothing if `processes`
    is 0."""
    if processes <= 0:
        return
    pool = _get_pool(processes)
    with _lock:
        # The pool spawns a worker per call while none is idle: one warm-up call per worker.
        for _ in range(min(processes, warm or processes) - len(_warming)):
            _warming.append(_submit(pool, _load, lang, urgent))


def pool_worth_using(n_texts: int) -> bool:
    """Whether NER of `n_texts` texts should go to the worker processes: the pool is up, or
    the batch is big enough to pay for starting it (MIN_TEXTS_TO_START)."""
    return _pool is not None or n_texts >= MIN_TEXTS_TO_START


def docs_in_processes(lang: str, texts: list[str], batch_size: int, processes: int) -> tuple[str | None, list[SpanDoc]]:
    """Return (model version, one SpanDoc per text) for `texts` in `lang`, NER done in
    `processes` worker processes (one chunk each). Raises BrokenProcessPool if a worker died
    (the pool is then replaced at the next call)."""
    if not texts:
        return None, []
    pool = _get_pool(processes)
    # A worker still loading is nearer to ready than a new one: with a warm-up call running,
    # a chunk sent now would spawn another worker to load the model from scratch.
    wait_for_futures(list(_warming))
    size = -(-len(texts) // processes)
    chunks = [texts[i : i + size] for i in range(0, len(texts), size)]
    try:
        futures = [_submit(pool, spans_of, lang, chunk, batch_size) for chunk in chunks]
        results = [future.result() for future in futures]
    except BrokenProcessPool:
        _discard(pool)
        raise
    version = next((v for v, _ in results if v is not None), None)
    spans = [s for _, chunk_spans in results for s in chunk_spans]
    return version, span_docs(texts, spans)

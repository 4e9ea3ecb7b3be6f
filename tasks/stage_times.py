"""Seconds each pipeline stage spent in this process, summed over batches.

The stages add their own time (`timed`), inside their Prefect tasks, so that what Prefect
itself costs (task runs, state changes, futures) is what is left of the flow's wall time;
the flow logs the totals at the end of a run (`stage seconds: {...}`), which
bench/pipeline.py reads. Thread-safe: the CPU stages run on the task runner's threads.
Stages run in worker processes (the processes and dask runners) add to their worker's
totals, not the flow's: their time then shows only as the flow waiting.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_totals: dict[str, float] = {}


def add(stage: str, seconds: float) -> None:
    """Add `seconds` to `stage`'s total."""
    with _lock:
        _totals[stage] = _totals.get(stage, 0.0) + seconds


@contextmanager
def timed(stage: str) -> Iterator[None]:
    """Add the time the `with` block takes to `stage`'s total (also when it raises)."""
    started = time.perf_counter()
    try:
        yield
    finally:
        add(stage, time.perf_counter() - started)


def snapshot() -> dict[str, float]:
    """Return a copy of the totals so far: {stage: seconds}."""
    with _lock:
        return dict(_totals)


def reset() -> None:
    """Forget the totals (at the start of a flow run: a process may run several flows)."""
    with _lock:
        _totals.clear()

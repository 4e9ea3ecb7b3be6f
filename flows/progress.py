"""Progress of a run, per stage, for whoever listens (the CLI draws bars from it).

The flow reports `advance(stage, n)` as batches pass each stage and `expect(stage, n)` as
work becomes known. Reports go to the stdlib logger `newsetl.progress`, which has no
output of its own: the flow stays free of any UI, and the CLI attaches `RichProgress`
only when it writes to a terminal, so piped and scheduled runs print no bars.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

LOGGER_NAME = "newsetl.progress"
STAGES = ("inputs", "language", "cleanup", "entities", "dedup", "stored")

_logger = logging.getLogger(LOGGER_NAME)
_logger.addHandler(logging.NullHandler())
_logger.propagate = False  # never in Prefect's or the root logger's output
_logger.setLevel(logging.INFO)


def expect(stage: str, count: int) -> None:
    """Report that `count` more items will pass `stage` (grows the bar's total)."""
    _logger.info("%s: %d more expected", stage, count, extra={"stage": stage, "expect": count, "advance": 0})


def advance(stage: str, count: int) -> None:
    """Report that `count` items passed `stage`."""
    _logger.info("%s: %d done", stage, count, extra={"stage": stage, "expect": 0, "advance": count})


class RichProgress(logging.Handler):
    """A logging handler drawing one rich progress bar per stage from the reports above."""

    def __init__(self, progress: Progress) -> None:
        super().__init__(logging.INFO)
        self.progress = progress
        self.bars = {stage: progress.add_task(stage, total=0) for stage in STAGES}

    def emit(self, record: logging.LogRecord) -> None:
        bar = self.bars.get(getattr(record, "stage", ""))
        if bar is None:
            return
        total = self.progress.tasks[bar].total or 0
        self.progress.update(bar, total=total + record.expect, advance=record.advance)


@contextmanager
def progress_bars(console: Console) -> Iterator[None]:
    """Show per-stage progress bars on `console` while the block runs, if it is a terminal."""
    if not console.is_terminal:
        yield
        return
    columns = (TextColumn("{task.description:>9}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        handler = RichProgress(progress)
        _logger.addHandler(handler)
        try:
            yield
        finally:
            _logger.removeHandler(handler)

"""Progress of a run, per stage, for whoever listens (the CLI draws bars from it).

The flow reports `advance(stage, n)` as batches pass each stage and `expect(stage, n)` as
work becomes known. Reports go to the stdlib logger `newsetl.progress`, which has no
output of its own: the flow stays free of any UI. The CLI attaches a listener:
`RichProgress` on a terminal — one live block of bars redrawn in place, with Prefect's
log lines printed above it (its console handlers are routed through the live display
while it is up, instead of writing over it) — or `PlainProgress` when the output is not a
terminal (CI, cron): one plain line per stored batch, on stderr.
"""

from __future__ import annotations

import io
import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from rich.ansi import AnsiDecoder
from rich.console import Console
from rich.text import Text
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


class PlainProgress(logging.Handler):
    """A logging handler writing one plain line of every stage's count when a batch is stored."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__(logging.INFO)
        self.stream = stream
        self.started = time.monotonic()
        self.total = dict.fromkeys(STAGES, 0)
        self.done = dict.fromkeys(STAGES, 0)

    def emit(self, record: logging.LogRecord) -> None:
        stage = getattr(record, "stage", "")
        if stage not in self.total:
            return
        self.total[stage] += record.expect
        self.done[stage] += record.advance
        if stage == "stored" and record.advance:
            self.write_line()

    def write_line(self) -> None:
        counts = " | ".join(f"{stage} {self.done[stage]}/{self.total[stage]}" for stage in STAGES)
        self.stream.write(f"progress: {counts} | {time.monotonic() - self.started:.0f}s\n")
        self.stream.flush()


def _console_handlers() -> list[logging.Handler]:
    """Every logging handler that prints through a rich Console (Prefect's console handler)."""
    loggers = [logging.getLogger(), *(lg for lg in logging.Logger.manager.loggerDict.values() if isinstance(lg, logging.Logger))]
    return list({id(h): h for lg in loggers for h in lg.handlers if isinstance(getattr(h, "console", None), Console)}.values())


class _AboveTheBars(io.TextIOBase):
    """A text stream whose lines are printed by the live display's console, above the bars
    (rich's own FileProxy cannot serve: a Console given one writes to the file behind it)."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.partial = ""
        self.decoder = AnsiDecoder()

    def write(self, text: str) -> int:
        *lines, self.partial = (self.partial + text).split("\n")
        if lines:
            self.console.print(Text("\n").join(self.decoder.decode_line(line) for line in lines), soft_wrap=True)
        return len(text)

    def isatty(self) -> bool:
        return True


@contextmanager
def _logs_above(progress: Progress) -> Iterator[None]:
    """Route the rich console handlers' output through the live display (printed above the
    bars) while it is up. The handlers keep the stream they were created with; writing to it
    directly draws over the bars, which then re-print as new blocks."""
    above = _AboveTheBars(progress.console)
    swapped = [(h, h.console.file) for h in _console_handlers()]
    for handler, _ in swapped:
        handler.console.file = above
    try:
        yield
    finally:
        for handler, original in swapped:
            handler.console.file = original


@contextmanager
def progress_bars(console: Console, plain_stream: TextIO | None = None) -> Iterator[None]:
    """Show per-stage progress while the block runs: bars updated in place on `console` if
    it is a terminal, else plain lines on `plain_stream` (default: stderr)."""
    if not console.is_terminal:
        plain = PlainProgress(plain_stream or sys.stderr)
        _logger.addHandler(plain)
        try:
            yield
        finally:
            _logger.removeHandler(plain)
        return
    columns = (TextColumn("{task.description:>9}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False, redirect_stdout=True, redirect_stderr=True) as progress:
        handler = RichProgress(progress)
        _logger.addHandler(handler)
        try:
            with _logs_above(progress):
                yield
        finally:
            _logger.removeHandler(handler)

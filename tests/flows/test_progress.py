"""Progress in the CLI: bars redrawn in place on a terminal with logs above them, plain lines when piped."""

import io
import logging
import re

from rich.console import Console

from newsetl.flows import progress


def test_bars_count_each_stage_on_a_terminal():
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=100)
    with progress.progress_bars(console):
        progress.expect("inputs", 3)
        progress.advance("inputs", 3)
        progress.expect("stored", 250)
        progress.advance("stored", 200)
    text = out.getvalue()
    assert "3/3" in text and "200/250" in text


def test_plain_lines_when_not_a_terminal():
    out, plain = io.StringIO(), io.StringIO()
    console = Console(file=out, force_terminal=False)
    with progress.progress_bars(console, plain_stream=plain):
        progress.expect("inputs", 3)
        progress.advance("inputs", 3)
        progress.expect("stored", 5)
        progress.advance("stored", 2)
        progress.advance("stored", 3)
    assert out.getvalue() == ""  # stdout keeps only the summary
    lines = plain.getvalue().splitlines()
    assert len(lines) == 2 and all("\x1b" not in line for line in lines)  # one per stored batch, no escape codes
    assert "inputs 3/3" in lines[1] and "stored 5/5" in lines[1] and "stored 2/5" in lines[0]


class ConsoleHandler(logging.Handler):
    """Stands for Prefect's console handler: prints records through its own rich Console."""

    def __init__(self, stream):
        super().__init__()
        self.console = Console(file=stream, force_terminal=True)

    def emit(self, record):
        self.console.print(self.format(record))


def test_logs_are_printed_above_the_bars_not_over_them():
    out, log_stream = io.StringIO(), io.StringIO()
    console = Console(file=out, force_terminal=True, width=100)
    logger = logging.getLogger("newsetl.test.run")
    handler = ConsoleHandler(log_stream)
    logger.addHandler(handler)
    try:
        with progress.progress_bars(console):
            progress.expect("stored", 4)
            logger.warning("quarantined /in/broken.txt at ingest")
            progress.advance("stored", 4)
        logger.warning("after the bars")
    finally:
        logger.removeHandler(handler)
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out.getvalue())  # colours and cursor moves off
    assert "quarantined /in/broken.txt at ingest" in text  # drawn by the live display, above the bars
    assert text.index("quarantined /in/broken.txt") < text.rindex("4/4")
    assert "quarantined" not in log_stream.getvalue()  # not written behind the display's back
    assert "after the bars" in log_stream.getvalue()  # the handler's own stream is restored


def test_reports_without_a_listener_print_nothing(capsys):
    progress.expect("stored", 5)
    progress.advance("stored", 5)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""

"""Progress bars in the CLI: drawn on a terminal, silent when the output is piped."""

import io

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


def test_nothing_is_drawn_when_not_a_terminal():
    out = io.StringIO()
    console = Console(file=out, force_terminal=False)
    with progress.progress_bars(console):
        progress.expect("stored", 5)
        progress.advance("stored", 5)
    assert out.getvalue() == ""


def test_reports_without_a_listener_print_nothing(capsys):
    progress.expect("stored", 5)
    progress.advance("stored", 5)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""

"""Clean stops (issue 16, item 3): Ctrl-C to the process group and SIGTERM end `newsetl run`
in seconds with exit 130/143, a CANCELLED `runs` row saying why, the Prefect flow run marked
crashed, the temporary server stopped, and the batches stored before the stop kept whole."""

import os
import signal

import pytest

from tests.flows.cli_runs import CliRun, gone, runs, server_children, snapshot, write_articles


@pytest.mark.parametrize("how, status, reason", [
    ("SIGINT to the process group", 130, "interrupted (SIGINT)"),
    ("SIGTERM to the run", 143, "terminated (SIGTERM)"),
])
def test_a_stopped_run_says_so_and_leaves_no_server(tmp_path, how, status, reason):
    db = tmp_path / "news.duckdb"
    run = CliRun([str(write_articles(tmp_path / "inbox", 40)), "--db", str(db), "--batch-size", "2"], cwd=tmp_path)
    server = server_children(run)
    run.wait_for(r"stored \d+ articles")
    if how.startswith("SIGINT"):
        os.killpg(run.process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    else:
        os.kill(run.process.pid, signal.SIGTERM)
    assert run.wait(timeout=60) == status, run.output[-3000:]
    assert gone(server), f"the temporary server {server} outlived the run"
    assert runs(db) == [("CANCELLED", reason)]
    assert "Finished in state Crashed" in run.output  # the Prefect flow run is not left RUNNING
    assert run.output.count("Traceback") == 0 and run.output.count("ConnectError") == 0
    stored = snapshot(db)
    assert stored["torn_articles"] == 0 and len(stored["articles"]) % 2 == 0 and len(stored["articles"]) < 40

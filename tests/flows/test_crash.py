"""A run killed at several points (SIGKILL included) loses nothing and duplicates nothing:
after a re-run the database is what one uninterrupted run gives, and no process of the
killed run survives it (issue 16, done-when)."""

import os
import signal

from newsetl.flows.pipeline import pipeline
from tests.flows.cli_runs import CliRun, gone, runs, server_children, snapshot, write_articles

STORED = r"stored \d+ articles"


def test_killed_runs_leave_whole_batches_and_the_rerun_matches_an_uninterrupted_run(tmp_path):
    inputs = write_articles(tmp_path / "inbox", 10)
    args = [str(inputs), "--batch-size", "2"]

    # The uninterrupted run and the final re-run go in-process (the killed ones cannot).
    assert pipeline(paths=[str(inputs)], db=str(tmp_path / "once.duckdb"), batch_size=2).status == "COMPLETED"
    expected = snapshot(tmp_path / "once.duckdb")
    assert len(expected["articles"]) == 10

    db = tmp_path / "killed.duckdb"
    # Kill points: SIGKILL during start-up (planned, nothing stored), SIGKILL after one
    # stored batch, SIGKILL in the re-run after one more, then a re-run to the end.
    for kill_after in [(r"planned \d+ input units", 1), (STORED, 1), (STORED, 1)]:
        run = CliRun([*args, "--db", str(db)], cwd=tmp_path)
        server = server_children(run)
        run.wait_for(*kill_after)
        os.kill(run.process.pid, signal.SIGKILL)
        assert run.wait() == -signal.SIGKILL
        assert gone(server), f"the temporary server {server} outlived the killed run"
        partial = snapshot(db)
        assert partial["torn_articles"] == 0 and partial["duplicated_entities"] == 0
        assert len(partial["articles"]) % 2 == 0  # whole batches of two only

    assert pipeline(paths=[str(inputs)], db=str(db), batch_size=2).status == "COMPLETED"
    assert snapshot(db) == expected
    assert runs(db)[-1] == ("COMPLETED", None)  # killed runs leave no row (SIGKILL gives no chance); this one does

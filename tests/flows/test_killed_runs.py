"""A run killed without a chance to say so (SIGKILL) is found by the next run on the same
database: its `runs` row is written CRASHED with the reason, and its Prefect flow run set to
Crashed when the API knows it (issue 16, item 3). A run that is still going is left alone."""

import os
import signal
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import duckdb
from prefect import flow, get_client
from prefect.states import Running

from newsetl.flows.crashed_runs import process_gone, process_identity
from newsetl.flows.pipeline import pipeline
from newsetl.tasks.store import migrate, write_run
from tests.flows.cli_runs import CliRun, gone, server_children, write_articles

STORED = r"stored \d+ articles"


def runs_by_id(db: Path) -> dict[str, tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {row[0]: row[1:] for row in con.execute("SELECT run_id, status, error, pid FROM runs").fetchall()}


def dead_process() -> dict:
    """The identity of a process that ran and was SIGKILLed (reaped): its pid is gone."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    identity = {"host": socket.gethostname(), "pid": child.pid, "process_started": __import__("psutil").Process(child.pid).create_time()}
    child.send_signal(signal.SIGKILL)
    child.wait()
    return identity


def running_row(run_id: str, identity: dict) -> dict:
    return {"run_id": run_id, "started_at": None, "status": "RUNNING", "inputs": [], "versions": {}, **identity}


def test_a_process_is_gone_when_its_pid_ended_or_was_reused_and_alive_otherwise():
    me = process_identity()
    assert not process_gone(me)
    assert process_gone(dead_process())
    assert process_gone({**me, "process_started": me["process_started"] - 3600})  # same pid, another process
    assert not process_gone({**dead_process(), "host": "another-host"})  # cannot tell from here: left alone
    assert not process_gone({**me, "pid": None})


def test_the_next_run_marks_runs_of_dead_processes_crashed_and_leaves_live_ones(tmp_path):
    db = tmp_path / "runs.duckdb"
    migrate(db)

    @flow
    def killed_flow() -> None:  # stands for the killed run's flow run in the Prefect API
        pass

    with get_client(sync_client=True) as client:
        flow_run = client.create_flow_run(killed_flow)
        client.set_flow_run_state(flow_run.id, Running(), force=True)
    dead_id, live_id = str(flow_run.id), "00000000-0000-0000-0000-00000000beef"
    write_run(db, running_row(dead_id, dead_process()))
    write_run(db, running_row(live_id, process_identity()))  # a concurrent run, still going

    result = pipeline(paths=[str(write_articles(tmp_path / "inbox", 2))], db=str(db))

    rows = runs_by_id(db)
    status, error, _ = rows[dead_id]
    assert status == "CRASHED" and error.startswith("crashed: process") and result.run_id in error
    assert rows[live_id][0] == "RUNNING"
    assert rows[result.run_id][:2] == ("COMPLETED", None)
    with get_client(sync_client=True) as client:
        state = client.read_flow_run(flow_run.id).state
    assert state.type.value == "CRASHED" and state.message == error


def test_a_sigkilled_run_is_written_crashed_by_the_next_run_and_its_flow_run_too(tmp_path):
    inputs = write_articles(tmp_path / "inbox", 6)
    db = tmp_path / "killed.duckdb"
    args = [str(inputs), "--batch-size", "2", "--db", str(db)]

    killed = CliRun(args, cwd=tmp_path)
    server = server_children(killed)
    killed.wait_for(STORED)
    os.kill(killed.process.pid, signal.SIGKILL)
    assert killed.wait() == -signal.SIGKILL
    assert gone(server)
    [(killed_id, (status, error, pid))] = runs_by_id(db).items()
    assert (status, error, pid) == ("RUNNING", None, killed.process.pid)  # its start-up row, never replaced

    rerun = CliRun(args, cwd=tmp_path)
    assert rerun.wait(timeout=300) == 0, rerun.output
    rows = runs_by_id(db)
    status, error, _ = rows.pop(killed_id)
    assert status == "CRASHED" and f"process {killed.process.pid}" in error
    assert [status for status, *_ in rows.values()] == ["COMPLETED"]
    # Both runs used the temporary server's history in PREFECT_HOME: the killed flow run is Crashed there.
    with sqlite3.connect(Path(os.environ["PREFECT_HOME"]) / "prefect.db") as con:
        [(state_type, message)] = con.execute(
            "SELECT flow_run.state_type, flow_run_state.message FROM flow_run JOIN flow_run_state"
            " ON flow_run.state_id = flow_run_state.id WHERE flow_run.id = ?", [killed_id]
        ).fetchall()
    assert state_type == "CRASHED" and message == error


def test_a_sigkilled_reprocess_says_running_until_the_next_run_writes_it_crashed(tmp_path):
    db = tmp_path / "reprocessed.duckdb"
    inbox = write_articles(tmp_path / "inbox", 6)
    pipeline(paths=[str(inbox)], db=str(db))

    killed = CliRun(["--db", str(db), "--force", "--batch-size", "2"], cwd=tmp_path, command="reprocess")
    server = server_children(killed)
    killed.wait_for(STORED)
    os.kill(killed.process.pid, signal.SIGKILL)
    assert killed.wait() == -signal.SIGKILL
    assert gone(server)  # its temporary Prefect server does not outlive it
    [(killed_id, (status, error, pid))] = [(k, v) for k, v in runs_by_id(db).items() if v[2] == killed.process.pid]
    assert (status, error) == ("RUNNING", None)  # written when it started, never replaced

    result = pipeline(paths=[str(inbox)], db=str(db))
    status, error, _ = runs_by_id(db)[killed_id]
    assert status == "CRASHED" and f"process {killed.process.pid}" in error and result.run_id in error

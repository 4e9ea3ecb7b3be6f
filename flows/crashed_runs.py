"""Runs killed without a chance to say so (SIGKILL, out of memory, power loss) are found
and written CRASHED by the next run on the same database.

A run writes its `runs` row with status RUNNING as it starts, naming its host, process id
and the process's start time (`process_identity`); its end replaces that row. A row still
RUNNING whose process is gone (no such pid on this host, or a pid now used by a process
started at another time) is a killed run: `mark_crashed_runs` writes it CRASHED with the
reason, and sets the Prefect flow run of the same id to Crashed when the API this run
talks to knows it (the temporary server keeps its history next to the database, so the
next `newsetl run` there sees it). A RUNNING row from another host is left alone: whether
its process lives cannot be told from here.
"""

from __future__ import annotations

import logging
import os
import socket
from uuid import UUID

import psutil

from newsetl.tasks.store import mark_run_crashed, running_runs

log = logging.getLogger("newsetl.crashed_runs")
# Start times of one process read twice agree to the clock tick (10 ms); a reused pid
# belongs to a process started later, by far more than this.
SAME_PROCESS_S = 1.0


def process_identity() -> dict:
    """{host, pid, process_started} of this process, for its `runs` row."""
    return {"host": socket.gethostname(), "pid": os.getpid(), "process_started": psutil.Process().create_time()}


def process_gone(row: dict, host: str | None = None) -> bool:
    """True when the process a `runs` row names (`host`, `pid`, `process_started`) is known
    to have ended: same host, and no such pid, a zombie, or a pid reused by a process
    started at another time. False when it lives or cannot be told (another host, no pid)."""
    if row.get("pid") is None or row.get("host") != (host or socket.gethostname()):
        return False
    try:
        process = psutil.Process(int(row["pid"]))
        if process.status() == psutil.STATUS_ZOMBIE:
            return True
        started = process.create_time()
    except psutil.NoSuchProcess:
        return True
    except psutil.Error:  # no access to it: it exists
        return False
    return row.get("process_started") is None or abs(started - float(row["process_started"])) > SAME_PROCESS_S


def mark_crashed_runs(db_path: str, current_run_id: str, lock_timeout_s: float) -> list[str]:
    """Write CRASHED (with the reason) every RUNNING `runs` row of `db_path` whose process is
    gone, other than `current_run_id`, and set their Prefect flow runs to Crashed where
    the API knows them. Returns the run ids marked."""
    marked = []
    for row in running_runs(db_path, lock_timeout_s):
        if row["run_id"] == current_run_id or not process_gone(row):
            continue
        reason = (
            f"crashed: process {row['pid']} on {row['host']} ended without finishing the run"
            f" (killed by SIGKILL, out of memory or a power loss); found by run {current_run_id}"
        )
        if mark_run_crashed(db_path, row["run_id"], reason, lock_timeout_s):
            marked.append(row["run_id"])
            crash_flow_run(row["run_id"], reason)
    return marked


def crash_flow_run(run_id: str, reason: str) -> bool:
    """Set Prefect flow run `run_id` to Crashed with `reason` if the API reachable now knows
    it and it is not in a final state already; True when it was set. Never raises: the
    `runs` row is what matters, the Prefect history is best effort."""
    from prefect import get_client
    from prefect.exceptions import ObjectNotFound
    from prefect.states import Crashed

    try:
        flow_run_id = UUID(run_id)
        with get_client(sync_client=True) as client:
            flow_run = client.read_flow_run(flow_run_id)
            if flow_run.state is not None and flow_run.state.is_final():
                return False
            client.set_flow_run_state(flow_run_id, Crashed(message=reason), force=True)
        return True
    except ObjectNotFound:  # another Prefect API than the killed run's
        return False
    except Exception as exc:  # noqa: BLE001 - an unreachable or odd API must not stop this run
        log.warning("could not mark flow run %s crashed in Prefect: %s", run_id, exc)
        return False

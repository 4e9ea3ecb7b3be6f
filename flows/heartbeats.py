"""A flow run ends without waiting for Prefect's heartbeat thread.

Prefect (3.x) sends a flow run's heartbeats from a daemon thread that sleeps in 1 s
slices; when the run ends, the sync flow engine sets the thread's stop event and joins
it, so every run waited up to a second (0.5 s on average: measured 0.02-0.83 s between
the flow's last log line and its Completed state, a one-new-article run) for a thread
with nothing left to do. The async engine does not join (`join_on_exit=False`); with
`no_heartbeat_join` the sync one does the same: the thread still stops at the event
and emits nothing after it, only nobody waits for its last slice of sleep.
"""

from __future__ import annotations

import inspect


def no_heartbeat_join() -> bool:
    """Make Prefect's flow engine leave its heartbeat thread to end on its own; True when
    done (also when done before), False when this Prefect has no such context manager."""
    from prefect import flow_engine

    send = getattr(flow_engine, "_send_heartbeats", None)
    if send is None or getattr(send, "_newsetl_no_join", False):
        return send is not None
    if "join_on_exit" not in inspect.signature(send).parameters:
        return False

    def without_join(engine, join_on_exit: bool = True):  # noqa: ANN001, ANN202 - Prefect's signature
        return send(engine, join_on_exit=False)

    without_join._newsetl_no_join = True  # type: ignore[attr-defined]
    flow_engine._send_heartbeats = without_join
    return True

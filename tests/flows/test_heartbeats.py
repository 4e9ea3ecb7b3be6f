"""A flow run's end does not wait for Prefect's heartbeat thread (flows/heartbeats.py)."""

import threading

from newsetl.flows.heartbeats import no_heartbeat_join


class FakeEngine:
    """What Prefect's heartbeat context manager reads from a flow run engine."""

    heartbeat_seconds = 30
    flow_run = None
    logger = __import__("logging").getLogger("fake-engine")

    def __init__(self) -> None:
        self.emitted = 0

    def _build_heartbeat_event_template(self):
        return {}, []

    def _emit_flow_run_heartbeat(self, resource, related) -> None:
        self.emitted += 1


def test_the_end_of_a_flow_run_leaves_the_heartbeat_thread_to_stop_on_its_own():
    from prefect import flow_engine

    assert no_heartbeat_join()  # fails if a Prefect upgrade reshaped the heartbeat context manager
    assert no_heartbeat_join()  # a second call does not wrap the wrapper
    engine = FakeEngine()
    before = set(threading.enumerate())
    with flow_engine._send_heartbeats(engine):  # as the sync flow engine calls it
        started = set(threading.enumerate()) - before
    # Joined (Prefect's default), the thread would be gone here after up to 1 s of sleep.
    assert started and all(t.is_alive() for t in started)
    for thread in started:
        thread.join()
    assert engine.emitted == 1  # one heartbeat when the run began, none after its end

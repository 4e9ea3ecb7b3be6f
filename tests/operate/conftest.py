"""A real Prefect server on 127.0.0.1, started by the tests, and `newsetl serve` against it.

Everything here talks to the server the way a user's tools do: subprocesses with
PREFECT_API_URL, and the REST API over HTTP.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import SEEDS

BIN = Path(sys.executable).parent
TERMINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check, timeout_s: float, what: str, proc: subprocess.Popen | None = None, log: Path | None = None):
    """Call `check` until it returns something truthy; fail with `what` (and the log) after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            break
        try:
            value = check()
        except httpx.HTTPError:
            value = None
        if value:
            return value
        time.sleep(0.5)
    tail = log.read_text(errors="replace")[-4000:] if log and log.exists() else ""
    pytest.fail(f"timed out waiting for {what}\n{tail}")


def stop(proc: subprocess.Popen) -> None:
    """Stop a server or `newsetl serve` the way a user does (Ctrl-C), then for good."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@dataclass(frozen=True)
class PrefectServer:
    url: str  # http://127.0.0.1:PORT
    env: dict[str, str]  # what a client process needs to use this server
    client: httpx.Client  # REST API client, base URL .../api

    def api(self, method: str, path: str, **kwargs) -> httpx.Response:
        """One REST call; retried on 503 and 429 as Prefect's own client does (the server
        answers 503 while its SQLite database is busy, e.g. with the scheduler)."""
        for attempt in range(8):
            response = self.client.request(method, path, **kwargs)
            if response.status_code not in (429, 503):
                return response
            time.sleep(0.5 * 2**attempt)
        return response

    def wait_for_run(self, flow_run_id: str, timeout_s: float = 240) -> dict:
        """Poll a flow run until it is in a terminal state; return it."""
        return wait_until(
            lambda: (run := self.api("GET", f"/flow_runs/{flow_run_id}").json())["state_type"] in TERMINAL and run,
            timeout_s, f"flow run {flow_run_id} to finish",
        )


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory):
    """`prefect server start` on a free port of 127.0.0.1, with its own PREFECT_HOME."""
    home = tmp_path_factory.mktemp("prefect-server-home")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ, "PREFECT_HOME": str(home), "PREFECT_API_URL": f"{url}/api", "PREFECT_UI_API_URL": f"{url}/api",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1",
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",  # served deployments notice triggered runs quickly
    }
    log = home / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    client = httpx.Client(base_url=f"{url}/api", timeout=30)
    try:
        server = PrefectServer(url, env, client)
        wait_until(lambda: client.get("/health").status_code == 200, 180, "the Prefect server", proc, log)
        yield server
    finally:
        client.close()
        stop(proc)


@dataclass(frozen=True)
class ServedDeployment:
    deployment: dict  # as the API returns it
    db: Path
    seeds: Path


@pytest.fixture(scope="session")
def served(prefect_server, tmp_path_factory):
    """`newsetl serve seeds/ --interval 3600` against the server, in a fresh folder."""
    work = tmp_path_factory.mktemp("served")
    seeds = work / "seeds"
    shutil.copytree(SEEDS, seeds)
    log = work / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(BIN / "newsetl"), "serve", "seeds", "--db", "news.duckdb", "--interval", "3600", "--name", "every-hour"],
            cwd=work, env=prefect_server.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        deployment = wait_until(
            lambda: (r := prefect_server.api("GET", "/deployments/name/newsetl/every-hour")).status_code == 200 and r.json(),
            180, "the served deployment", proc, log,
        )
        yield ServedDeployment(deployment, work / "news.duckdb", seeds)
    finally:
        stop(proc)


@pytest.fixture(scope="session")
def two_triggered_runs(prefect_server, served):
    """Two runs of the served deployment triggered at the same moment, both finished."""
    ids = [
        prefect_server.api("POST", f"/deployments/{served.deployment['id']}/create_flow_run", json={}).json()["id"]
        for _ in range(2)
    ]
    return [prefect_server.wait_for_run(run_id) for run_id in ids]

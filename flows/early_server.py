"""Start Prefect's temporary API server first, before Prefect itself is imported.

Without a configured API, Prefect starts a temporary server when the flow begins, and
the run waits for it: importing the server code in the run's process (~2-5 s), then the
server's own start (8-40 s on a busy machine). `newsetl run` instead spawns the same
server (Prefect's own uvicorn app, as `SubprocessASGIServer` runs it) as its very first
step, points PREFECT_API_URL at it, and imports Prefect, the pipeline and the English
NER model while the server boots on another core. The child is spawned like
flows/stops.py's guard does: in its own session, with a parent-death signal, and
sent SIGTERM at exit, so it does not outlive the run by more than its own graceful
shutdown (SHUTDOWN_S at most). Its own output goes to
PREFECT_HOME/temporary-server.log, not into the run's: what it prints while it is stopped
at the run's end (a service's "Error flushing events" traceback, seen once in ~50 stops)
is not the run's story; when it fails to start, the run says so in one line with the
log's last lines.

Only when nothing configures an API: PREFECT_API_URL in the environment or a Prefect
profile file naming one leaves Prefect to do as it always does.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from newsetl.flows import prefect_defaults  # noqa: F401 - the server inherits them
from newsetl.flows.stops import _guarded_popen
from newsetl.tasks.settings import DEFAULT_DB


LOG_NAME = "temporary-server.log"
LOG_TAIL_LINES = 12  # of the server's log, in the error when it does not start
# uvicorn's --timeout-graceful-shutdown: after SIGTERM the server waits at most this long
# for open requests before it runs its shutdown. The run does not wait for that shutdown
# (~0.3 s: uvicorn's 0.1 s pause, then Prefect's services stop): at exit it sends SIGTERM
# and ends; the server finishes on its own, in its own session (a second SIGTERM, the
# parent-death signal, does not cut uvicorn's graceful shutdown short).
SHUTDOWN_S = 5


class ServerFailed(RuntimeError):
    """The temporary server exited or did not answer in time; the message ends with its log's last lines."""


@dataclass
class EarlyServer:
    """A temporary Prefect API server spawned by this process, its output in `log_path`."""

    process: subprocess.Popen
    api_url: str
    log_path: Path | None = None
    announced: bool = False  # the run said it uses this server (announce)
    made_folders: tuple[Path, ...] = ()  # folders made for this server (its Prefect home first, then its parents)

    def _failed(self, what: str) -> ServerFailed:
        tail = ""
        if self.log_path is not None:
            try:
                lines = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                lines = []
            shown = "\n".join(f"  {line}" for line in lines[-LOG_TAIL_LINES:])
            tail = f"; its log ({self.log_path}) ends:\n{shown}" if shown else f"; its log ({self.log_path}) is empty"
        return ServerFailed(what + tail)

    def wait_ready(self, timeout_s: float) -> None:
        """Block until the server answers /health; raise ServerFailed if it exits or `timeout_s` passes."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise self._failed(f"the temporary Prefect server exited with status {self.process.returncode} before it was ready")
            try:
                with urllib.request.urlopen(f"{self.api_url}/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.1)
        raise self._failed(f"timed out after {timeout_s:.0f} s waiting for the temporary Prefect server at {self.api_url}")

    def announce(self) -> None:
        """Say on stderr that the run uses this server, and give its log its name
        (PREFECT_HOME/temporary-server.log, replacing the last run's)."""
        print(f"Starting temporary server on {self.api_url.removesuffix('/api')}", file=sys.stderr, flush=True)
        self.announced = True
        if self.log_path is not None and self.log_path.name != LOG_NAME:
            final = self.log_path.with_name(LOG_NAME)
            try:  # the server keeps writing to the same file under its new name
                os.replace(self.log_path, final)
                self.log_path = final
            except OSError:
                pass

    def stop(self) -> None:
        """Send the server SIGTERM and return: it shuts down on its own (SHUTDOWN_S at most).
        A server never announced (an idle run's, a usage error's) leaves no log behind, nor
        the folders made for it (`made_folders`, those still empty)."""
        if self.process.poll() is None:
            self.process.terminate()
        if not self.announced and self.log_path is not None:
            self.log_path.unlink(missing_ok=True)
            for folder in self.made_folders:
                try:
                    folder.rmdir()
                except OSError:  # not empty: something else lives there now (and so in its parents)
                    break


def _prefect_home() -> Path:
    return Path(os.environ.get("PREFECT_HOME", "~/.prefect")).expanduser()


def api_configured() -> bool:
    """True when the environment or a Prefect profile file may name an API to use."""
    if os.environ.get("PREFECT_API_URL") or os.environ.get("PREFECT_PROFILES_PATH"):
        return True
    profiles = _prefect_home() / "profiles.toml"
    try:
        return "PREFECT_API_URL" in profiles.read_text(encoding="utf-8")
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_early_server(announce: bool = True) -> EarlyServer | None:
    """Spawn the temporary server and set PREFECT_API_URL to it (call before importing
    Prefect); None, and nothing done, when an API is configured or Prefect is already
    imported. The server is sent SIGTERM at exit."""
    spec = importlib.util.find_spec("prefect")
    if api_configured() or "prefect" in sys.modules or spec is None or not spec.submodule_search_locations:
        return None
    port = _free_port()
    address = f"http://127.0.0.1:{port}"
    # What SubprocessASGIServer._run_uvicorn_command runs (Prefect 3.x): no UI, ephemeral.
    env = {**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
    # No block-type registration at start (unless the user asks for it): it imports every
    # installed Prefect collection first (prefect-dask, hence dask.distributed), ~0.5-0.8 s
    # of the server's 4.3-5.3 s start here (4 alternating starts each, 2 cores), for block
    # types a run never uses. A real `prefect server start` registers them. Memoizing off
    # too: it would import the collections all the same, and record the registration as
    # done, so that a real server later skipped it.
    for name in ("PREFECT_API_BLOCKS_REGISTER_ON_START", "PREFECT_MEMOIZE_BLOCK_AUTO_REGISTRATION"):
        env.setdefault(name, "false")
    app_dir = str(Path(spec.submodule_search_locations[0]).parent)
    command = [
        sys.executable, "-m", "uvicorn", "--app-dir", app_dir, "--factory", "prefect.server.api.server:create_app",
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "error", "--lifespan", "on",
        "--timeout-graceful-shutdown", str(SHUTDOWN_S),
    ]
    # Its own file until the run announces the server: an idle run, which stops it at once,
    # then leaves the last real run's log alone.
    log_path = _prefect_home() / f"{LOG_NAME}.{os.getpid()}"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "wb") as log:  # the child keeps its own copy of the descriptor
        process = _guarded_popen(command, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    server = EarlyServer(process, f"{address}/api", log_path)
    atexit.register(server.stop)
    os.environ["PREFECT_API_URL"] = server.api_url
    if announce:
        server.announce()
    return server


_started_for_run: EarlyServer | None = None


def start_for_run(args: list[str]) -> None:
    """`newsetl run`'s very first step (flows/entry.py, `args` after "run"), before typer and
    the CLI load (~0.2 s): keep Prefect's home next to the run's database (`--db`, else
    DEFAULT_DB) and spawn the temporary server, unannounced, for the run to take over
    (`started_for_run`). Nothing for --help or when an API is configured."""
    global _started_for_run
    if "--help" in args:
        return
    try:
        made = prefect_home_next_to(Path(db_argument(args)))
        _started_for_run = start_early_server(announce=False)
    except OSError:  # e.g. the database's folder is a file: the CLI says so, in its own words
        return
    if _started_for_run is not None:
        _started_for_run.made_folders = made


def db_argument(args: list[str]) -> str:
    """The database `newsetl run` will write, as typer will read it from `args`: the last
    `--db PATH` or `--db=PATH`, else DEFAULT_DB."""
    db = DEFAULT_DB
    for k, arg in enumerate(args):
        if arg == "--db" and k + 1 < len(args):
            db = args[k + 1]
        elif arg.startswith("--db="):
            db = arg.split("=", 1)[1]
    return db


def started_for_run() -> EarlyServer | None:
    """The server start_for_run spawned in this process, if any."""
    return _started_for_run


def prefect_home_next_to(db: Path) -> tuple[Path, ...]:
    """Keep Prefect's history in `.prefect/` next to the database (unless PREFECT_HOME is
    set), so that `prefect server start` there later shows the runs made without a server.
    Returns the folders this call made: `.prefect/` first, then the database's own folder
    and its parents when they were missing too (none: an empty tuple)."""
    if "PREFECT_HOME" in os.environ:
        return ()
    home = db.expanduser().resolve().parent / ".prefect"
    made = tuple(folder for folder in (home, *home.parents) if not folder.exists())
    home.mkdir(parents=True, exist_ok=True)  # Prefect creates the folder, not its parents
    os.environ["PREFECT_HOME"] = str(home)
    return made

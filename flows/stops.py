"""Clean stops for `newsetl run`: SIGINT/SIGTERM end the run in seconds, and the temporary
Prefect API server never outlives the process that started it.

Without a PREFECT_API_URL, Prefect starts a temporary API server as a child process
(prefect.server.api.server.SubprocessASGIServer) and stops it at exit. Two things went
wrong with it: it shares the terminal's process group, so Ctrl-C killed it first and the
flow spent minutes retrying a dead API; and a SIGKILLed (or SIGTERMed) run left it
running as an orphan. `guard_temporary_server` changes only how that child is spawned: in
its own session (a Ctrl-C to the group reaches the run, which then stops the server
itself) and with a parent-death signal (Linux prctl PR_SET_PDEATHSIG), so the kernel
stops it whenever the run process dies, SIGKILL included.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import types

PR_SET_PDEATHSIG = 1  # linux/prctl.h


class RunStopped(BaseException):
    """Raised in the main thread when the run is asked to stop by a signal; the message says
    which. A BaseException, like KeyboardInterrupt, so no `except Exception` swallows it."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(f"stopped by {signal.Signals(signum).name}")


def _raise_stopped(signum: int, frame: object) -> None:
    raise RunStopped(signum)


def install_stop_handlers() -> None:
    """Make SIGTERM raise `RunStopped` in the main thread (SIGINT already raises
    KeyboardInterrupt), so the run unwinds: the `runs` row is written CANCELLED, the flow
    run is marked crashed in Prefect and the temporary server is stopped at exit.
    While a flow runs, Prefect's own SIGTERM handler takes over and does the same."""
    signal.signal(signal.SIGTERM, _raise_stopped)
    # A shell starting us in the background sets SIGINT to "ignore", and Python then
    # never installs its KeyboardInterrupt handler: a run must still stop on SIGINT.
    signal.signal(signal.SIGINT, signal.default_int_handler)


def _die_with_parent(parent: int) -> None:
    """In the child, before exec: ask the kernel for SIGTERM when the parent dies; exit at
    once if it died already (between fork and this call)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


def _guarded_popen(*args, **kwargs) -> subprocess.Popen:
    parent = os.getpid()
    kwargs.setdefault("start_new_session", True)
    kwargs.setdefault("preexec_fn", lambda: _die_with_parent(parent))
    return subprocess.Popen(*args, **kwargs)


def guard_temporary_server() -> None:
    """Spawn Prefect's temporary API server in its own session with a parent-death signal,
    and start it now, from the main thread: the parent-death signal fires when the thread
    that spawned the child ends, and the main thread lives as long as the process.

    Does nothing when PREFECT_API_URL names a server (it is not ours to stop)."""
    from prefect.settings import PREFECT_API_URL

    if PREFECT_API_URL.value():
        return
    import prefect.server.api.server as server_module

    # The server module calls `subprocess.Popen` only to spawn uvicorn: give it a
    # `subprocess` whose Popen adds our two options and is otherwise the real module.
    shim = types.ModuleType("subprocess")
    shim.__dict__.update(subprocess.__dict__)
    shim.Popen = _guarded_popen
    server_module.subprocess = shim
    server_module.SubprocessASGIServer().start()


def exit_status(exc: BaseException) -> int:
    """The shell convention for a process ended by a signal: 128 + its number."""
    signum = getattr(exc, "signum", None) or getattr(exc, "signal", None) or signal.SIGINT
    return 128 + int(signum)

"""A database file held open read-write by another process, as a running `newsetl run` holds it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HOLDER = textwrap.dedent("""
    import sys, duckdb
    con = duckdb.connect(sys.argv[1])
    print("holding", flush=True)
    sys.stdin.read()  # until the test closes our stdin
""")


@contextmanager
def held_by_another_process(db: Path) -> Iterator[None]:
    """Inside the block another process has `db` open read-write (DuckDB then refuses every
    other process's open); it lets go when the block ends."""
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        yield
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)

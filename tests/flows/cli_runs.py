"""Helpers for tests that run `newsetl run` as a separate process and stop or kill it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb

NEWSETL = [sys.executable, "-m", "newsetl.flows.cli"]
WORDS = "council harbour bridge river minister report market school hospital station festival storm".split()


def write_articles(folder: Path, count: int) -> Path:
    """Write `count` invented text articles (distinct, a few sharing a story) into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        a, b, c = WORDS[i % len(WORDS)], WORDS[(i * 5 + 3) % len(WORDS)], WORDS[(i * 7 + 1) % len(WORDS)]
        paragraphs = [
            f"The {a} of Eastwick reopened on Monday after {i + 2} weeks of repairs, officials said.",
            f"Residents said the {b} had been closed since the spring floods, and the {c} committee met on Thursday.",
            f"Work on the {a} cost {i + 1}.{i % 10} million, paid from the regional budget for {2020 + i % 5}.",
        ]
        (folder / f"story{i:03d}.txt").write_text(f"Eastwick {a} story number {i}\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return folder


class CliRun:
    """`newsetl run` (or another `command`) in its own process group, its output collected line by line."""

    def __init__(self, args: list[str], cwd: Path, env: dict | None = None, command: str = "run") -> None:
        # A fresh PREFECT_HOME makes the temporary server create its database first: slow on a busy machine.
        run_env = {**os.environ, "PYTHONUNBUFFERED": "1", "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180", **(env or {})}
        run_env.pop("PREFECT_API_URL", None)  # the run starts (and must stop) its own temporary server
        self.lines: list[str] = []
        self._finished = False
        self._changed = threading.Condition()
        self.process = subprocess.Popen(
            [*NEWSETL, command, *args], cwd=cwd, env=run_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, start_new_session=True,
        )
        threading.Thread(target=self._collect, daemon=True).start()

    def _collect(self) -> None:
        for line in self.process.stdout:
            with self._changed:
                self.lines.append(line)
                self._changed.notify_all()
        with self._changed:
            self._finished = True
            self._changed.notify_all()

    def wait_for(self, pattern: str, count: int = 1, timeout: float = 180.0) -> None:
        """Block until `count` output lines match `pattern` (regex); fail if the run ends or time is up."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self._changed:
            while sum(bool(regex.search(line)) for line in self.lines) < count:
                left = deadline - time.monotonic()
                if left <= 0 or self._finished:
                    raise AssertionError(f"no {count} lines matching {pattern!r}:\n{''.join(self.lines[-40:])}")
                self._changed.wait(min(left, 0.5))

    def children(self) -> list[int]:
        """Process ids of the run's direct children (the temporary Prefect server among them)."""
        out = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True).stdout
        return [int(pid) for pid in out.split()]

    def wait(self, timeout: float = 120.0) -> int:
        return self.process.wait(timeout=timeout)

    @property
    def output(self) -> str:
        return "".join(self.lines)


def server_children(run: CliRun, timeout: float = 60.0) -> list[int]:
    """Wait until the run has started its temporary server; return the run's child pids."""
    run.wait_for(r"Starting temporary server", timeout=timeout)
    deadline = time.monotonic() + 10
    while not (kids := run.children()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert kids, "the temporary server process was not found"
    return kids


def gone(pids: list[int], timeout: float = 20.0) -> bool:
    """True once none of `pids` is alive (zombies count as gone), within `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not [pid for pid in pids if _alive(pid)]:
            return True
        time.sleep(0.2)
    return False


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def snapshot(db: Path) -> dict:
    """What a run stored, independent of run ids and clock: per-article results and table sizes."""
    with duckdb.connect(str(db), read_only=True) as con:
        articles = con.execute(
            "SELECT doc_id, content_hash, text_hash, clean_text, language, is_article, dup_group, dup_method,"
            " story_id, n_entities, n_removed_lines FROM articles ORDER BY doc_id"
        ).fetchall()
        tables = {
            t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("entities", "removed_lines", "duplicates", "minhash_bands", "page_lines", "story_terms", "quarantine")
        }
        tables["term_df"] = con.execute("SELECT sum(df) FROM term_df").fetchone()[0]
        tables["input_state"] = con.execute("SELECT count(*) FROM input_state").fetchone()[0]
        duplicated = con.execute(
            "SELECT count(*) FROM (SELECT doc_id, start_char, end_char, label FROM entities GROUP BY ALL HAVING count(*) > 1)"
        ).fetchone()[0]
        torn = con.execute(
            "SELECT count(*) FROM articles a WHERE n_entities <> (SELECT count(*) FROM entities e WHERE e.doc_id = a.doc_id)"
            " OR n_removed_lines <> (SELECT count(*) FROM removed_lines r WHERE r.doc_id = a.doc_id)"
        ).fetchone()[0]
    return {"articles": articles, "tables": tables, "duplicated_entities": duplicated, "torn_articles": torn}


def runs(db: Path) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT status, error FROM runs ORDER BY started_at").fetchall()

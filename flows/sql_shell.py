"""`newsetl sql`: query the database read-only, from one statement or a prompt.

Kept light on purpose: it imports only duckdb and the standard library (no Prefect, no
spaCy, no typer), so `newsetl sql "SELECT 1"` answers in a fraction of a second. The
CLI dispatches `sql` here before it loads anything else.

Nothing typed here can write anything. Every statement runs on a connection that is
  - opened read-only,
  - unable to reach files or the network (`enable_external_access=false`: no COPY TO,
    no ATTACH, no read_csv of arbitrary paths, no INSTALL) unless the user opts in to
    reading given folders with --read-files,
  - unable to install or auto-load extensions,
  - locked (`lock_configuration=true`) before the user's statement runs, so SET cannot
    undo the above,
and the statement itself must be exactly one SELECT-like statement (SELECT, FROM,
WITH, VALUES, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN, PRAGMA): COPY, ATTACH, INSTALL, SET,
CALL and anything that writes are refused before execution, so even the folders opened
with --read-files can be read, not written.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

DEFAULT_DB = "newsetl.duckdb"  # same default as newsetl.tasks.settings (not imported: it is light, but keep this module standalone)
# Statement types a read-only analyst needs; everything else is refused before it runs.
ALLOWED_TYPES = frozenset({"SELECT", "EXPLAIN", "PRAGMA"})
HISTORY_FILE = Path.home() / ".newsetl_sql_history"
PROMPT, CONTINUATION = "newsetl> ", "    ...> "
HELP = """.tables            list tables and views
.schema [NAME]     CREATE statement of a table or view (all without NAME)
.help              this list
.quit              leave (Ctrl-D too)
Statements end with ;. Each statement opens the file read-only just for itself."""


class UsageError(Exception):
    """A statement or an option this command refuses; the message says why."""


def connect_read_only(db: Path, read_dirs: list[Path] = (), lock_timeout_s: float = 30.0) -> duckdb.DuckDBPyConnection:
    """Open `db` read-only, sandboxed as the module docstring says; `read_dirs` are the only
    folders read_csv/read_parquet/... may read. Retries while a run holds the file."""
    deadline = time.monotonic() + lock_timeout_s
    delay, warned = 0.05, False
    config = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
    while True:
        try:
            con = duckdb.connect(str(db), read_only=True, config=config)
            break
        except duckdb.Error as exc:
            if "lock" not in str(exc).lower() or time.monotonic() >= deadline:
                raise
            if not warned:  # a run is writing a batch: it lets go within a second or so
                print(f"{db} is busy (a run is writing); retrying…", file=sys.stderr)
                warned = True
            time.sleep(delay + random.uniform(0, delay / 2))
            delay = min(delay * 2, 1.0)
    try:
        if read_dirs:  # must be set while external access is still on, and before the lock
            folders = ", ".join(_sql_string(str(Path(d).resolve()) + os.sep) for d in read_dirs)
            con.execute(f"SET allowed_directories = [{folders}]")
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
    except BaseException:
        con.close()
        raise
    return con


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def check_statement(con: duckdb.DuckDBPyConnection, text: str) -> str:
    """Return the statement type of `text` (e.g. "SELECT") if it is exactly one allowed
    statement; raise UsageError otherwise. Parsing only: nothing runs."""
    statements = con.extract_statements(text)
    if len(statements) != 1:
        raise UsageError(f"one statement at a time ({len(statements)} given)")
    kind = statements[0].type.name
    if kind not in ALLOWED_TYPES:
        raise UsageError(f"{kind} statements are not allowed: newsetl sql is read-only (SELECT, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN, PRAGMA)")
    return kind


def run_statement(con: duckdb.DuckDBPyConnection, text: str, as_csv: bool, out=None, width: int | None = None) -> None:
    """Check and run one statement on `con`; print it as a table (or CSV) to `out`."""
    out = out or sys.stdout
    kind = check_statement(con, text)
    if as_csv:
        result = con.execute(text)
        writer = csv.writer(out)
        writer.writerow([d[0] for d in result.description or []])
        writer.writerows(result.fetchall())
        return
    relation = con.sql(text)
    if relation is None:  # a statement with no result
        return
    if kind == "EXPLAIN":
        for _, plan in relation.fetchall():  # the plan is drawn already: print it as it is
            out.write(plan + "\n")
        return
    width = width or max(shutil.get_terminal_size((120, 24)).columns, 120)
    if out is sys.stdout:
        relation.show(max_width=width, max_rows=1000)
    else:
        out.write(str(relation) + "\n")


def one_line(exc: BaseException) -> str:
    """An error as one line: DuckDB's first paragraph (its 'LINE 1: ^' pointer dropped)."""
    text = str(exc).strip()
    first = text.split("\n\n", 1)[0]
    return " ".join(first.split()) or type(exc).__name__


def dot_command(con: duckdb.DuckDBPyConnection, line: str, out) -> bool:
    """Answer `.tables`, `.schema [name]`, `.help`; return False for `.quit`/`.exit`."""
    command, _, arg = line.strip().partition(" ")
    arg = arg.strip().rstrip(";")
    if command in (".quit", ".exit", ".q"):
        return False
    if command == ".tables":
        rows = con.execute(
            "SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = 'main' ORDER BY table_type, table_name"
        ).fetchall()
        for kind in ("BASE TABLE", "VIEW"):
            names = [n for n, t in rows if t == kind]
            out.write(f"{'tables' if kind == 'BASE TABLE' else 'views'}: {'  '.join(names)}\n")
    elif command == ".schema":
        rows = con.execute(
            "SELECT table_name, sql FROM duckdb_tables() WHERE schema_name = 'main' AND ($name = '' OR table_name = $name)"
            " UNION ALL SELECT view_name, sql FROM duckdb_views() WHERE NOT internal AND schema_name = 'main' AND ($name = '' OR view_name = $name)"
            " ORDER BY 1",
            {"name": arg},
        ).fetchall()
        if not rows:
            raise UsageError(f"no table or view named {arg!r}")
        for _, sql in rows:
            out.write(sql.rstrip() + "\n")
    elif command == ".help":
        out.write(HELP + "\n")
    else:
        raise UsageError(f"unknown command {command} (.help lists them)")
    return True


def _setup_readline() -> Callable[[], None]:
    """Line editing and a history file (stdlib readline); returns what saves the history."""
    try:
        import readline
    except ImportError:  # no readline on this platform: plain input()
        return lambda: None
    try:
        readline.read_history_file(HISTORY_FILE)
    except OSError:
        pass
    readline.set_history_length(1000)

    def save() -> None:
        try:
            readline.write_history_file(HISTORY_FILE)
        except OSError:
            pass

    return save


def prompt(open_connection: Callable[[], duckdb.DuckDBPyConnection], as_csv: bool, db: Path) -> int:
    """Read statements (ending with ;) and dot commands until EOF or .quit; each statement
    opens the file for itself so a run is never kept from writing longer than one query.
    Returns the exit status: 0, or 1 if the last statement failed when not interactive."""
    interactive = sys.stdin.isatty()
    save_history = _setup_readline() if interactive else (lambda: None)
    if interactive:
        print(f"{db} (read-only). End statements with ; — .tables, .schema NAME, .help, .quit", file=sys.stderr)
    buffer: list[str] = []
    status = 0
    try:
        while True:
            try:
                line = input(CONTINUATION if buffer else PROMPT) if interactive else sys.stdin.readline()
            except EOFError:  # Ctrl-D
                print(file=sys.stderr)
                break
            except KeyboardInterrupt:  # Ctrl-C drops the statement being typed, like psql
                print(file=sys.stderr)
                buffer.clear()
                continue
            if line == "" and not interactive:  # end of piped input
                break
            if not buffer and line.strip().startswith("."):
                try:
                    with open_connection() as con:
                        if not dot_command(con, line, sys.stdout):
                            break
                    status = 0
                except (duckdb.Error, UsageError) as exc:
                    print(f"error: {one_line(exc)}", file=sys.stderr)
                    status = 1
                continue
            buffer.append(line.rstrip("\n"))
            text = "\n".join(buffer).strip()
            if not text:
                buffer.clear()
                continue
            if not text.endswith(";"):
                continue
            buffer.clear()
            try:
                with open_connection() as con:
                    run_statement(con, text, as_csv)
                status = 0
            except (duckdb.Error, UsageError) as exc:
                print(f"error: {one_line(exc)}", file=sys.stderr)
                status = 1
    finally:
        save_history()
    return status if not interactive else 0


def parser() -> argparse.ArgumentParser:
    """The options of `newsetl sql` (argparse: usage errors exit 2)."""
    p = argparse.ArgumentParser(
        prog="newsetl sql",
        description="Run SQL read-only against the database and print the result. Without a statement: a prompt "
        "(.tables, .schema NAME, .help; statements end with ;). Nothing can be written: one SELECT-like "
        "statement at a time, no file or network access, no extensions, configuration locked.",
    )
    p.add_argument("statement", nargs="?", help='one SQL statement, e.g. "SELECT * FROM who_is_in_the_news"')
    p.add_argument("--db", type=Path, default=Path(DEFAULT_DB), help=f"DuckDB file to read (default: {DEFAULT_DB})")
    p.add_argument("--csv", action="store_true", help="print CSV instead of a table")
    p.add_argument(
        "--read-files", metavar="DIR", type=Path, action="append", default=[],
        help="also let queries read files under DIR (read_csv, read_parquet, …) for a join; repeatable; off by default",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of `newsetl sql`; returns the exit status (0 ok, 1 error, 2 usage)."""
    args = parser().parse_args(argv)
    db: Path = args.db
    if not db.is_file():
        print(f"error: no database at {db}: run `newsetl run PATH` first", file=sys.stderr)
        return 1
    for folder in args.read_files:
        if not folder.is_dir():
            print(f"error: --read-files {folder}: not a folder", file=sys.stderr)
            return 2

    def open_connection() -> duckdb.DuckDBPyConnection:
        return connect_read_only(db, args.read_files)

    if args.statement is None:
        return prompt(open_connection, args.csv, db)
    try:
        with open_connection() as con:
            run_statement(con, args.statement, args.csv)
    except (duckdb.Error, UsageError) as exc:
        print(f"error: {one_line(exc)}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `newsetl sql ... | head`
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())

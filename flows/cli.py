"""The `newsetl` command line.

    newsetl run PATH... [--db FILE]     run the pipeline over files and folders
    newsetl sql ["SELECT ..."] [--db FILE] query the database read-only (no statement: a prompt)
    newsetl export FOLDER [--db FILE]   Parquet snapshot of every table and view
    newsetl serve PATH... --cron EXPR   serve the flow as a scheduled deployment
    newsetl clean < pages.jsonl          clean pages given as JSON lines, print JSON lines
    newsetl entities < texts.jsonl       entities of texts given as JSON lines, print JSON lines

Exit status of `run`: 0 when every input was stored, 3 when some inputs were
quarantined (the rest is stored), 1 when the run failed.
"""

from __future__ import annotations

import csv as csv_module
import os
import sys
from pathlib import Path

# Prefect reads its settings at import: set our defaults first. Telemetry off (it logs
# errors offline); PREFECT_HOME next to the database so that `prefect server start`
# later shows the history of the runs made without a server.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_HOME", str(Path.cwd() / ".prefect"))
# A Dask LocalCluster logs its start and stop at INFO: not the run's story.
os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")

import typer  # noqa: E402
from rich.console import Console  # noqa: E402

from newsetl.tasks.settings import DEFAULT_DB, Settings  # noqa: E402

EXIT_QUARANTINED = 3
app = typer.Typer(add_completion=False, help="newsetl: news articles in, a DuckDB database of clean, tagged, de-duplicated articles out.")
console = Console(stderr=False)


@app.command()
def run(
    paths: list[str] = typer.Argument(..., help="Files and folders (.txt .md .html .htm .jsonl .json .csv .warc, also .gz), or - for stdin."),
    db: Path = typer.Option(Path(DEFAULT_DB), "--db", help="DuckDB file to write (created if missing)."),
    batch_size: int = typer.Option(Settings.batch_size, "--batch-size", min=1, help="Articles per Prefect task call."),
    full_refresh: bool = typer.Option(False, "--full-refresh", help="Process every input again, even if unchanged."),
    task_runner: str = typer.Option("threads", "--task-runner", help="Where the CPU stages run: threads, processes or dask."),
    workers: int = typer.Option(None, "--workers", min=1, help="Threads, processes or LocalCluster workers (default: CPU count)."),
    dask_address: str = typer.Option(None, "--dask-address", help="Scheduler of an existing Dask cluster, e.g. tcp://10.0.0.5:8786."),
) -> None:
    """Run the pipeline over PATHS into the DuckDB file and print the run summary."""
    from newsetl.flows.pipeline import pipeline
    from newsetl.flows.progress import progress_bars
    from newsetl.flows.summary import print_summary

    _check_runner(task_runner, workers, dask_address)
    with progress_bars(console):
        result = pipeline(
            paths=list(paths), db=str(db), batch_size=batch_size, full_refresh=full_refresh,
            task_runner=task_runner, workers=workers, dask_address=dask_address,
        )
    print_summary(result.summary, result.counts.articles_unchanged, console)
    console.print(
        f"[bold]{result.counts.articles_new}[/] new articles, {result.counts.articles_unchanged} unchanged, "
        f"{result.counts.quarantined} quarantined inputs → {db}"
    )
    if result.counts.quarantined:
        console.print(f"[yellow]{result.counts.quarantined} inputs were quarantined: SELECT * FROM quarantine[/]")
        raise typer.Exit(EXIT_QUARANTINED)


def _require_db(db: Path) -> None:
    """Exit with a hint when the database file does not exist yet."""
    if not db.exists():
        console.print(f"[red]no database at {db}: run `newsetl run PATH` first[/]")
        raise typer.Exit(1)


def _check_runner(kind: str, workers: int | None, address: str | None) -> None:
    """Exit with the reason if the task runner options make no sense (before Prefect starts)."""
    from newsetl.flows.runners import RunnerChoice

    try:
        RunnerChoice(kind, workers, address)
    except ValueError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from exc


@app.command()
def sql(
    statement: str = typer.Argument(None, help="One SQL statement, e.g. \"SELECT * FROM story_summary\". Omit it for a prompt."),
    db: Path = typer.Option(Path(DEFAULT_DB), "--db", help="DuckDB file to read."),
    csv: bool = typer.Option(False, "--csv", help="Print CSV instead of a table."),
) -> None:
    """Run SQL read-only against the database and print the result.

    With a statement: run it and exit. Without: a prompt (a read-only REPL) where every
    statement opens the file read-only just for itself, so a scheduled run is never kept
    from writing for longer than one query.
    """
    from newsetl.tasks.store import query, show_query

    _require_db(db)

    def run_one(text: str) -> None:
        if not csv:
            show_query(db, text, max_width=max(console.width, 120))
            return
        columns, rows = query(db, text)
        writer = csv_module.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)

    if statement is not None:
        run_one(statement)
        return
    _read_only_prompt(db, run_one)


def _read_only_prompt(db: Path, run_one) -> None:
    """Read statements (ending with ;) from stdin until EOF or `.quit`; print each result or error."""
    import duckdb

    interactive = sys.stdin.isatty()
    if interactive:
        console.print(f"{db} (read-only; each statement opens the file briefly). End statements with ;  .quit to leave.")
    buffer: list[str] = []
    while True:
        try:
            line = input("newsetl> " if not buffer else "    ...> ") if interactive else sys.stdin.readline()
        except EOFError:
            line = ""
        if (not interactive and line == "") or line.strip() in (".quit", ".exit"):
            break
        buffer.append(line.rstrip("\n"))
        text = "\n".join(buffer).strip()
        if not text.endswith(";"):
            continue
        buffer.clear()
        try:
            run_one(text)
        except duckdb.Error as exc:
            console.print(f"[red]{exc}[/]")


@app.command()
def export(
    target: Path = typer.Argument(..., help="Folder to (re)write with one .parquet file per table and view."),
    db: Path = typer.Option(Path(DEFAULT_DB), "--db", help="DuckDB file to read."),
) -> None:
    """Write a Parquet snapshot of every table and view, for tools that want to read all the time.

    The database is opened read-only for the copy only; the folder is replaced at once at
    the end, so readers of TARGET see the previous snapshot or the new one, never a mix.
    """
    from newsetl.tasks.store import export_parquet

    _require_db(db)
    files = export_parquet(db, target)
    console.print(f"{len(files)} Parquet files in {target}: {', '.join(f.stem for f in files)}")


@app.command()
def clean(
    batch_size: int = typer.Option(200, "--batch-size", min=1, help="Pages per batch."),
) -> None:
    """Clean pages read as JSON lines on stdin ({"id", "html"} or {"id", "text"}, optional "url",
    "source", "title") and write {"id", "text", "title", "byline", "removed", ...} lines on stdout.

    Runs exactly the language detection and cleanup code of the pipeline; no database.
    """
    from newsetl.flows.clean_stream import clean_stream

    clean_stream(sys.stdin.buffer, sys.stdout, batch_size)


@app.command()
def entities(
    batch_size: int = typer.Option(64, "--batch-size", min=1, help="Texts per batch."),
) -> None:
    """Find entities in texts read as JSON lines on stdin ({"id", "text", "language"?}) and write
    {"id", "language", "entities": [{"start", "end", "label", "kind", "text", "canonical", "entity_id"}]}
    lines on stdout. Runs exactly the entity code of the pipeline; no database.
    """
    from newsetl.flows.entities_stream import entities_stream

    entities_stream(sys.stdin.buffer, sys.stdout, batch_size)


@app.command()
def serve(
    paths: list[str] = typer.Argument(..., help="Files, folders, URLs or a sources .toml file to process on every run."),
    db: Path = typer.Option(Path(DEFAULT_DB), "--db", help="DuckDB file to write."),
    name: str = typer.Option("newsetl-scheduled", "--name", help="Deployment name."),
    cron: str = typer.Option(None, "--cron", help="Cron schedule, e.g. '*/15 * * * *'."),
    interval: int = typer.Option(None, "--interval", min=1, help="Seconds between runs (instead of --cron)."),
    overlap: str = typer.Option("wait", "--overlap", help="When a run is due while the previous one still runs: wait or skip."),
    task_runner: str = typer.Option("threads", "--task-runner", help="Where the CPU stages run: threads, processes or dask."),
    workers: int = typer.Option(None, "--workers", min=1, help="Threads, processes or LocalCluster workers."),
    dask_address: str = typer.Option(None, "--dask-address", help="Scheduler of an existing Dask cluster."),
) -> None:
    """Register the flow as a deployment with a schedule and run it until interrupted (Ctrl-C).

    Needs a Prefect API that stays up: `prefect server start` in another terminal, and
    PREFECT_API_URL pointing at it. Only new or changed inputs are processed on each run,
    and runs of the deployment never overlap (--overlap wait queues the next, skip cancels it).
    """
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy

    from newsetl.flows.pipeline import pipeline
    from newsetl.tasks.fetch import is_url

    if (cron is None) == (interval is None):
        console.print("[red]give exactly one of --cron or --interval[/]")
        raise typer.Exit(2)
    if overlap not in ("wait", "skip"):
        console.print("[red]--overlap is wait or skip[/]")
        raise typer.Exit(2)
    _check_runner(task_runner, workers, dask_address)
    parameters = {
        "paths": [p if is_url(p) else str(Path(p).resolve()) for p in paths], "db": str(db.resolve()),
        "task_runner": task_runner, "workers": workers, "dask_address": dask_address,
    }
    strategy = ConcurrencyLimitStrategy.ENQUEUE if overlap == "wait" else ConcurrencyLimitStrategy.CANCEL_NEW
    # limit=1 keeps this process from starting a run while its previous one is going; the
    # deployment's concurrency limit makes the server enforce it against every worker too,
    # and shows a queued run as AwaitingConcurrencySlot (or a skipped one as Cancelled).
    pipeline.serve(
        name=name, cron=cron, interval=interval, parameters=parameters,
        global_limit=ConcurrencyLimitConfig(limit=1, collision_strategy=strategy),
    )


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()

"""The `newsetl` command line.

    newsetl run PATH... [--db FILE]     run the pipeline over files and folders
    newsetl sql "SELECT ..." [--db FILE] query the database read-only

Exit status of `run`: 0 when every input was stored, 3 when some inputs were
quarantined (the rest is stored), 1 when the run failed.
"""

from __future__ import annotations

import os
from pathlib import Path

# Prefect reads its settings at import: set our defaults first. Telemetry off (it logs
# errors offline); PREFECT_HOME next to the database so that `prefect server start`
# later shows the history of the runs made without a server.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_HOME", str(Path.cwd() / ".prefect"))

import typer  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from tasks.settings import DEFAULT_DB, Settings  # noqa: E402

EXIT_QUARANTINED = 3
app = typer.Typer(add_completion=False, help="newsetl: news articles in, a DuckDB database of clean, tagged, de-duplicated articles out.")
console = Console(stderr=False)


@app.command()
def run(
    paths: list[str] = typer.Argument(..., help="Files and folders: .txt, .md, .html/.htm, .jsonl, .json."),
    db: Path = typer.Option(Path(DEFAULT_DB), "--db", help="DuckDB file to write (created if missing)."),
    batch_size: int = typer.Option(Settings.batch_size, "--batch-size", min=1, help="Articles per Prefect task call."),
) -> None:
    """Run the pipeline over PATHS into the DuckDB file and print the run summary."""
    from flows.pipeline import pipeline
    from flows.summary import print_summary

    result = pipeline(paths=list(paths), db=str(db), batch_size=batch_size)
    print_summary(result.summary, result.counts.articles_unchanged, console)
    console.print(
        f"[bold]{result.counts.articles_new}[/] new articles, {result.counts.articles_unchanged} unchanged, "
        f"{result.counts.quarantined} quarantined inputs → {db}"
    )
    if result.counts.quarantined:
        console.print(f"[yellow]{result.counts.quarantined} inputs were quarantined: SELECT * FROM quarantine[/]")
        raise typer.Exit(EXIT_QUARANTINED)


@app.command()
def sql(
    statement: str = typer.Argument(..., help="One SQL statement, e.g. \"SELECT * FROM story_summary\"."),
    db: Path = typer.Option(Path(DEFAULT_DB), "--db", help="DuckDB file to read."),
) -> None:
    """Run one read-only SQL statement against the database and print the result."""
    from tasks.store import query

    if not db.exists():
        console.print(f"[red]no database at {db}: run `newsetl run PATH` first[/]")
        raise typer.Exit(1)
    columns, rows = query(db, statement)
    table = Table(*columns)
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    console.print(table)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()

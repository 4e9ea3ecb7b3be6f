"""The `newsetl` command line.

    newsetl run PATH... [--db FILE]     run the pipeline over files and folders
    newsetl reprocess [--stage S] [--where SQL]  recompute stages of stored articles from raw_text
    newsetl sql ["SELECT ..."] [--db FILE] query the database read-only (no statement: a prompt)
    newsetl export FOLDER [--db FILE]   Parquet snapshot of every table and view
    newsetl restory [--db FILE]         recompute copy groups and stories over the stored articles
    newsetl serve PATH... --cron EXPR   serve the flow as a scheduled deployment
    newsetl clean < pages.jsonl          clean pages given as JSON lines, print JSON lines
    newsetl entities < texts.jsonl       entities of texts given as JSON lines, print JSON lines

Exit status of `run`: 0 when every input was stored, 3 when some inputs were
quarantined (the rest is stored), 1 when the run failed, 2 on a usage error (bad
option, missing path), before Prefect starts, 130 (SIGINT) or 143 (SIGTERM) when it
was stopped (its `runs` row says CANCELLED; batches stored so far are kept). `newsetl sql`
is dispatched to the light module flows/sql_shell.py by flows/entry.py before anything
heavy (typer, Prefect, spaCy) is loaded.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from newsetl.flows import prefect_defaults  # noqa: F401 - Prefect reads its settings at import: ours first

import typer  # noqa: E402
import typer.core  # noqa: E402
from rich.console import Console  # noqa: E402

from newsetl.flows.early_server import prefect_home_next_to  # noqa: E402
from newsetl.tasks.settings import DEFAULT_DB, Settings  # noqa: E402

EXIT_QUARANTINED = 3
EXIT_USAGE = 2
REPROCESS_STAGES = ("cleanup", "entities", "dedup", "all")  # = flows/reprocess.py STAGE_CHOICES (not imported: it loads Prefect)
app = typer.Typer(add_completion=False, help="newsetl: news articles in, a DuckDB database of clean, tagged, de-duplicated articles out.")
console = Console(stderr=False)
err_console = Console(stderr=True)

# typer 0.29 prints a type after every option in --help, flags included ("--full-refresh
# <bool>"), which reads as if the flag took a value. A flag takes none: show no type.
_display_type_rich = typer.core.TyperOption.display_type_rich
typer.core.TyperOption.display_type_rich = lambda self, ctx: None if self.is_flag else _display_type_rich(self, ctx)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("newsetl")
    except PackageNotFoundError:  # running from a checkout that is not installed
        return "unknown"


def _version_callback(value: bool) -> None:
    if value:
        print(f"newsetl {_version()}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version_callback, is_eager=True, help="Print the version and exit."),
) -> None:
    """newsetl: news articles in, a DuckDB database of clean, tagged, de-duplicated articles out."""


def _prefect_home(db: Path) -> None:
    """prefect_home_next_to(db), or exit 1 with one line saying why Prefect's folder cannot be made."""
    try:
        prefect_home_next_to(db)
    except OSError as exc:
        err_console.print(f"[red]error:[/] cannot make Prefect's folder next to the database {db}: {exc.strerror or exc}", highlight=False)
        raise typer.Exit(1) from None


def _usage_error(message: str) -> typer.Exit:
    """Print a usage error on stderr; return the exit (status 2) to raise."""
    err_console.print(f"[red]error:[/] {message}", highlight=False)
    return typer.Exit(EXIT_USAGE)


def _check_paths(paths: list[str]) -> None:
    """Exit with status 2, before Prefect starts, if a path given is neither a URL, `-`,
    an existing file nor an existing folder."""
    missing = [p for p in paths if p != "-" and "://" not in p and not Path(p).expanduser().exists()]
    if missing:
        raise _usage_error(f"no such file or folder: {', '.join(missing)}")


@app.command()
def run(
    paths: list[str] = typer.Argument(..., help="Files and folders (.txt .md .html .htm .jsonl .json .csv .warc, also .gz), or - for stdin."),
    db: Path = typer.Option(Path(DEFAULT_DB), "--db", help="DuckDB file to write (created if missing)."),
    batch_size: int = typer.Option(Settings.batch_size, "--batch-size", min=1, help="Articles per Prefect task call."),
    full_refresh: bool = typer.Option(False, "--full-refresh", help="Process every input again, even if unchanged."),
    retry_quarantined: bool = typer.Option(
        False, "--retry-quarantined",
        help="Read again every input quarantined before (by default only those quarantined by an older pipeline version are).",
    ),
    task_runner: str = typer.Option("threads", "--task-runner", help="Where the CPU stages run: threads, processes or dask."),
    workers: int = typer.Option(
        None, "--workers", min=1,
        help="Workers for the CPU stages (default: 1 thread; processes and dask: one per CPU).",
    ),
    ner_processes: int = typer.Option(
        None, "--ner-processes", min=0,
        help="Worker processes for NER beside the threads runner (default: one per CPU on 2+ cores, at a lower priority; 0: in the run's own process).",
    ),
    dask_address: str = typer.Option(None, "--dask-address", help="Scheduler of an existing Dask cluster, e.g. tcp://10.0.0.5:8786."),
    allow_private_addresses: bool = typer.Option(
        False, "--allow-private-addresses", help="Let feed links and redirects reach loopback/private addresses (URLs you give always can)."
    ),
) -> None:
    """Run the pipeline over PATHS into the DuckDB file and print the run summary."""
    _check_paths(paths)
    _check_runner(task_runner, workers, dask_address, ner_processes)
    from newsetl.flows.early_server import start_early_server, started_for_run

    # The temporary server boots while the idle check, the imports below and the model load
    # run: its start (~3 s of imports in its own process) is the longest wait of a run that
    # finds one new article, and the idle check (~0.5 s over 1,500 files) would otherwise
    # come first. An idle run stops it at once, before it has opened its database: one
    # more process for half a second (idle re-run 0.51 s -> 0.55 s, one new article 5.4 s
    # -> 4.8 s with the change below, 4 alternating pairs each on 1,584 stored articles).
    # The `newsetl` command spawned it already, before this module loaded (flows/entry.py).
    _prefect_home(db)
    server = started_for_run() or start_early_server(announce=False)
    check = _idle_check(paths, db, batch_size, full_refresh, retry_quarantined)
    if check.idle is not None:
        if server is not None:
            server.stop()
        return  # no flow run; Prefect was not imported here
    if server is not None:
        server.announce()
    ner_in_workers = _start_ner_worker(task_runner, ner_processes, check.new_files)  # loads spaCy while Prefect is imported here
    # The imports make ~200,000 long-lived objects and little garbage: no collection while
    # they run, then the objects are set aside (gc.freeze) so that the run's own full
    # collections do not walk them again.
    gc.disable()
    try:
        from newsetl.flows.pipeline import pipeline
        from newsetl.flows.progress import progress_bars
        from newsetl.flows.summary import print_summary

        from newsetl.flows.stops import guard_temporary_server, install_stop_handlers
    finally:
        gc.freeze()
        gc.enable()

    install_stop_handlers()
    with _stops_said("run"):
        if server is not None:
            if task_runner == "threads":  # other runners load in their workers
                _warm_up(ner=not ner_in_workers)
            _wait_for(server)
        guard_temporary_server()  # when Prefect starts the server itself (an early one sets PREFECT_API_URL)
        with progress_bars(console):
            result = pipeline(
                paths=list(paths), db=str(db), batch_size=batch_size, full_refresh=full_refresh,
                task_runner=task_runner, workers=workers, dask_address=dask_address, ner_processes=ner_processes,
                retry_quarantined=retry_quarantined, allow_private_addresses=allow_private_addresses,
            )
    if not result.counts.passed["inputs"] and not result.counts.quarantined:
        err_console.print(f"[yellow]warning:[/] nothing to read in {' '.join(paths)} (no supported files: .txt .md .html .jsonl .json .csv .warc …)", highlight=False)
    print_summary(result.summary, result.counts.articles_unchanged, console)
    console.print(
        f"[bold]{result.counts.articles_new}[/] new articles, {result.counts.articles_unchanged} unchanged, "
        f"{result.counts.quarantined} quarantined inputs → {db}"
    )
    if result.counts.quarantined:
        console.print(f"[yellow]{result.counts.quarantined} inputs were quarantined: newsetl sql \"SELECT * FROM open_quarantine\" --db {db}[/]")
        raise typer.Exit(EXIT_QUARANTINED)


@contextmanager
def _stops_said(command: str) -> Iterator[None]:
    """Around a flow-running command: a stop (SIGINT, SIGTERM) becomes the shell's exit status
    for that signal and a storage failure exit 1, each said in one line without a traceback."""
    from newsetl.flows.stops import RunStopped, exit_status
    from newsetl.tasks.store import StorageError

    try:
        yield
    except (KeyboardInterrupt, RunStopped) as exc:
        console.print(f"[yellow]{command} stopped ({str(exc) or 'SIGINT'}); batches stored before the stop are kept[/]")
        raise typer.Exit(exit_status(exc)) from None
    except StorageError as exc:  # said once, without a traceback: the cause and the path
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(1) from None
    except BaseException as exc:
        if type(exc).__name__ != "TerminationSignal":  # Prefect's SIGTERM bridge, while the flow runs
            raise
        console.print(f"[yellow]{command} stopped (SIGTERM); batches stored before the stop are kept[/]")
        raise typer.Exit(exit_status(exc)) from None


def _wait_for(server) -> None:
    """Wait for the early temporary server (flows/early_server.py); when it does not start,
    say why in one line with its log's last lines and exit 1, without a traceback."""
    from newsetl.flows.early_server import ServerFailed

    try:
        server.wait_ready(float(os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"]))
    except ServerFailed as exc:
        from rich.markup import escape

        err_console.print(f"[red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None


def _start_ner_worker(task_runner: str, ner_processes: int | None, new_files: int | None = None) -> bool:
    """Start one NER worker process now, loading the English model, when the run's NER goes
    to worker processes (the threads runner on 2+ cores by default, tasks/ner_processes.py);
    True when it did. Called once the idle check found something new: the worker imports
    spaCy and loads the model (~1.5-2 s) on another core while this process imports
    Prefect and starts the flow. A bigger run warms the other workers up with its first
    batch, as before.

    Not when the idle check counted fewer than MIN_TEXTS_TO_START new one-article files
    (`new_files`): their NER runs in this process (tasks/ner_processes.py runs so few texts
    here anyway), and a worker's own start (a new interpreter, numpy, spaCy: ~0.5 s more
    CPU than loading the model here) competed with the temporary server's start for the
    two cores: one new article 5.21 s with the worker, 4.95 s without (4 alternating pairs)."""
    from newsetl.flows.runners import resolve_ner_processes
    from newsetl.tasks.ner_processes import MIN_TEXTS_TO_START, start

    if new_files is not None and new_files < MIN_TEXTS_TO_START:
        return False  # a handful of new articles: NER in this process (its first call loads the model)
    processes = resolve_ner_processes(task_runner, ner_processes)
    start(processes, warm=1, urgent=True)
    return processes > 0


def _warm_up(ner: bool = True) -> None:
    """Do the stages' one-time loads while the temporary server starts (it boots in its own
    process, on another core): the English NER model unless a NER worker loads it
    (English is what most runs read; another language's model loads with its first
    article), the place gazetteer entity ids use (and its other readings of shared names),
    langdetect's profiles, dateparser's
    patterns (compiled at its first date line, 0.4-0.5 s). Each cost seconds in the first
    batch. A load that fails is the flow's to report, with the article."""
    from newsetl.tasks.cleanup.metadata_lines import dateline_date
    from newsetl.tasks.gazetteer import place_alternatives, place_facts, place_id
    from newsetl.tasks.language import detect_language

    def load_ner() -> None:
        from newsetl.tasks.models import load_ner

        load_ner("en")

    for load in (
        *([load_ner] if ner else []), lambda: place_id("London", "en"), place_alternatives, place_facts,
        lambda: detect_language("The council met on Monday."),
        lambda: dateline_date("Published 12 March 2024", "en"),
    ):
        try:
            load()
        except Exception:  # noqa: BLE001
            pass


def _idle_check(paths: list[str], db: Path, batch_size: int, full_refresh: bool, retry_quarantined: bool):
    """The fast path (flows/idle_run.py): when every input is a file stored before and
    unchanged, record the run and say so, without importing Prefect or spaCy. Returns the
    IdleCheck (its `idle` set when the run was idle). Exits 1 when the database cannot be
    opened, as the flow would."""
    from newsetl.flows.idle_run import check_idle
    from newsetl.tasks.store import StorageError

    settings = Settings(db_path=db, batch_size=batch_size, full_refresh=full_refresh)
    try:
        check = check_idle(list(paths), settings, retry_quarantined)
    except StorageError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(1) from None
    if check.idle is not None:
        idle = check.idle
        console.print(f"nothing new: {idle.unchanged} input files unchanged since they were stored (run {idle.run_id}, no Prefect flow run)", soft_wrap=True)
        console.print(f"[bold]0[/] new articles, {idle.unchanged} unchanged, 0 quarantined inputs → {db}")
    return check


@app.command()
def reprocess(
    stage: str = typer.Option("all", "--stage", help="Stage to recompute, with those after it: cleanup, entities, dedup or all."),
    where: str = typer.Option(None, "--where", help="Only articles matching this SQL condition, e.g. \"source = 'bbc.co.uk'\"."),
    force: bool = typer.Option(False, "--force", help="Recompute the selected articles even if their stage versions are current."),
    db: Path = typer.Option(Path(DEFAULT_DB), "--db", help="DuckDB file to update."),
    batch_size: int = typer.Option(Settings.batch_size, "--batch-size", min=1, help="Articles per batch."),
) -> None:
    """Recompute stages of stored articles from their stored raw_text (nothing is fetched):
    those whose `versions` say an older version of the stage made them.

    Runs as a Prefect flow with the same progress, summary and exit status as `run`.
    """
    if stage not in REPROCESS_STAGES:
        raise _usage_error(f"--stage is one of {', '.join(REPROCESS_STAGES)}, not {stage!r}")
    _require_db(db)
    _prefect_home(db)
    from newsetl.flows.progress import progress_bars
    from newsetl.flows.reprocess import reprocess as reprocess_flow
    from newsetl.flows.stops import guard_temporary_server, install_stop_handlers
    from newsetl.flows.summary import print_summary

    install_stop_handlers()
    with _stops_said("reprocess"):
        # Prefect's temporary server dies with this process, even under kill -9, as for `run`.
        guard_temporary_server()
        with progress_bars(console):
            result = reprocess_flow(db=str(db), stage=stage, where=where, batch_size=batch_size, force=force)
    print_summary(result.summary, result.counts.articles_unchanged, console)
    console.print(
        f"[bold]{result.counts.articles_new}[/] articles recomputed, {result.counts.articles_unchanged} up to date, "
        f"{result.counts.quarantined} quarantined (kept as stored) → {db}"
    )
    if result.counts.quarantined:
        raise typer.Exit(EXIT_QUARANTINED)


def _require_db(db: Path) -> None:
    """Exit with a hint when the database file does not exist yet."""
    if not db.exists():
        console.print(f"[red]no database at {db}: run `newsetl run PATH` first[/]")
        raise typer.Exit(1)


def _check_runner(kind: str, workers: int | None, address: str | None, ner_processes: int | None = None) -> None:
    """Exit with the reason if the task runner options make no sense (before Prefect starts)."""
    from newsetl.flows.runners import RunnerChoice

    try:
        RunnerChoice(kind, workers, address, ner_processes or 0)
    except ValueError as exc:
        raise _usage_error(str(exc)) from exc


@app.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []})
def sql(ctx: typer.Context) -> None:
    """Run SQL read-only against the database (no statement: a prompt with .tables, .schema).

    Nothing can be written: one SELECT-like statement at a time, no file or network
    access (--read-files DIR opts in to reading a folder), no extensions, configuration
    locked. `newsetl sql --help` lists the options.
    """
    from newsetl.flows import sql_shell

    raise typer.Exit(sql_shell.main(list(ctx.args)))


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
def restory(
    db: Path = typer.Option(Path(DEFAULT_DB), "--db", help="DuckDB file to re-cluster in place."),
    batch_size: int = typer.Option(Settings.batch_size, "--batch-size", min=1, help="Articles per dedup batch (as in `run`)."),
) -> None:
    """Recompute copy groups and stories of every stored article, in time order, with the
    current dedup code: the same result as a fresh run over the same articles in time order.
    Needs the database to itself while it runs (it writes after every batch)."""
    from newsetl.flows.restory import restory as restory_db

    _require_db(db)
    result = restory_db(db, batch_size=batch_size)
    console.print(f"{result.articles} articles re-assigned: {result.stories} stories, {result.copy_groups} copy groups → {db}")


@app.command()
def clean(
    batch_size: int = typer.Option(200, "--batch-size", min=1, help="Pages per batch."),
) -> None:
    """Clean pages read as JSON lines on stdin ({"id", "html"} or {"id", "text"}, optional "url",
    "source", "title") and write {"id", "text", "title", "url", "authors", "byline", "removed", ...} lines on stdout.

    Runs exactly the metadata, language detection and cleanup code of the pipeline; no database.
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
    workers: int = typer.Option(None, "--workers", min=1, help="Workers for the CPU stages (default: 1 thread; processes and dask: one per CPU)."),
    ner_processes: int = typer.Option(
        None, "--ner-processes", min=0,
        help="Worker processes for NER beside the threads runner (default: one per CPU on 2+ cores, at a lower priority; 0: in the run's own process).",
    ),
    dask_address: str = typer.Option(None, "--dask-address", help="Scheduler of an existing Dask cluster."),
) -> None:
    """Register the flow as a deployment with a schedule and run it until interrupted (Ctrl-C).

    Needs a Prefect API that stays up: `prefect server start` in another terminal, and
    PREFECT_API_URL pointing at it. Only new or changed inputs are processed on each run,
    and runs of the deployment never overlap (--overlap wait queues the next, skip cancels it).
    """
    if (cron is None) == (interval is None):
        raise _usage_error("give exactly one of --cron or --interval")
    if overlap not in ("wait", "skip"):
        raise _usage_error("--overlap is wait or skip")
    _check_paths(paths)
    _check_runner(task_runner, workers, dask_address, ner_processes)
    _prefect_home(db)
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy

    from newsetl.flows.pipeline import pipeline
    from newsetl.tasks.fetch import is_url
    parameters = {
        "paths": [p if is_url(p) else str(Path(p).resolve()) for p in paths], "db": str(db.resolve()),
        "task_runner": task_runner, "workers": workers, "dask_address": dask_address, "ner_processes": ner_processes,
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
    """Run the typer app (the console script enters through flows/entry.py), then end the
    process with the command's exit status without tearing the interpreter down."""
    try:
        app()
    except SystemExit as exc:
        _exit_now(exc.code)


def _exit_now(code: object) -> None:
    """End the process with exit status `code` (None, an int, or a message: status 1) once
    everything the interpreter's exit would run has run: thread joins and the hooks
    Prefect registers there (its log and event queues drained to the API), the atexit
    handlers (NER workers, the temporary server, logging, temporary files), stdout and
    stderr flushed. What is skipped is the interpreter's teardown of its modules and
    objects (spaCy's vocabulary, the gazetteer's tables...): 0.6-1.0 s of every run that
    loaded them, measured after a one-new-article run (process exit 0.59-1.03 s -> 0.07 s).
    Nothing is written there: every database connection is closed by then."""
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    try:
        shutdown_threads = getattr(threading, "_shutdown", None)  # what Py_Finalize calls first
        if shutdown_threads is not None:
            shutdown_threads()
        atexit._run_exitfuncs()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):  # a closed pipe: nothing more to say there
                pass
        os._exit(code or 0)


if __name__ == "__main__":
    main()

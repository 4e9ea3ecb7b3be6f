"""Planning a run's inputs: which units of work files, folders, URLs and sources files make,
and which files are unchanged since they were stored — without reading their content.

Light on purpose (no Prefect, spaCy or HTTP client is imported): `newsetl run` plans here
first, and a scheduled run that finds nothing new ends before Prefect starts
(flows/idle_run.py). tasks/ingest.py reads the units.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from newsetl.tasks.records import InputState, Quarantined
from newsetl.tasks.sanitize import printable_path
from newsetl.tasks.settings import Settings

if TYPE_CHECKING:  # tasks/feeds.py imports the HTTP client: not at planning time
    from newsetl.tasks.feeds import FeedEntry

STAGE = "ingest"
KINDS = {
    ".txt": "text", ".md": "text", ".html": "html", ".htm": "html", ".jsonl": "jsonl", ".json": "json",
    ".csv": "csv", ".warc": "warc",
}
RECORD_KINDS = {"jsonl", "json", "csv", "warc"}  # files holding many articles
STDIN = "-"


@dataclass(frozen=True)
class InputUnit:
    """One unit of ingest work: a whole file, a URL, or a byte range [start, end) of a JSONL or WARC file."""

    path: str
    source: str
    start: int = 0
    end: int | None = None
    named: bool = False  # `source` was named in a sources file: it wins over feed titles and domains
    allow_private: bool = False  # its sources file sets allow_private_addresses (tasks/netpolicy.py)
    feed: FeedEntry | None = None  # a URL unit once its user URL was fetched: what to do with it (tasks/feeds.py)


def input_kind(name: str) -> tuple[str | None, bool]:
    """Return (kind, gzip-compressed) of a file name: kind is text, html, jsonl, json, csv or None."""
    lower = name.lower()
    compressed = lower.endswith(".gz")
    if compressed:
        lower = lower[:-3]
    return KINDS.get(Path(lower).suffix), compressed


# The plan `newsetl run`'s idle check made (flows/idle_run.py), kept for the flow that runs
# next in the same process: planning walks and stats every input (0.1 s of a one-new-article
# run over 1,500 files, more for bigger folders), and the flow would otherwise do it again a
# few seconds later. Files that appear in between are read by the next run.
_handed_over: tuple[tuple[str, ...], Settings, tuple[list[InputUnit], list[Quarantined]]] | None = None


def hand_over(paths: Iterable[str | Path], settings: Settings, plan: tuple[list[InputUnit], list[Quarantined]]) -> None:
    """Keep `plan` (what plan_inputs returned for `paths` and `settings`) for the next
    `planned` call with the same arguments in this process."""
    global _handed_over
    _handed_over = (tuple(str(p) for p in paths), settings, plan)


def planned(paths: Iterable[str | Path], settings: Settings) -> tuple[list[InputUnit], list[Quarantined]]:
    """`plan_inputs(paths, settings)`, or the plan handed over (`hand_over`) for exactly these
    paths and settings; a plan handed over is used once at most."""
    global _handed_over
    paths = list(paths)
    handed, _handed_over = _handed_over, None
    if handed is not None and handed[0] == tuple(str(p) for p in paths) and handed[1] == settings:
        return handed[2]
    return plan_inputs(paths, settings)


def plan_inputs(paths: Iterable[str | Path], settings: Settings) -> tuple[list[InputUnit], list[Quarantined]]:
    """Expand files and folders into ordered `InputUnit`s; missing or unsupported paths are quarantined.

    Folders are walked recursively in sorted order and files with unsupported suffixes
    inside them are ignored; a file named explicitly must have a supported suffix. The
    source of a file is the name of the folder it was found under (or its parent folder).
    """
    units: list[InputUnit] = []
    bad: list[Quarantined] = []
    expanded: list[tuple[str, str | None, bool]] = []
    for raw in paths:
        if str(raw).lower().endswith(".toml") and Path(raw).is_file():
            try:
                pairs, allow_private = read_sources_file(Path(raw)), sources_allow_private(Path(raw))
                expanded.extend((target, name, allow_private) for target, name in pairs)
            except (ValueError, OSError) as exc:
                bad.append(Quarantined(str(Path(raw).resolve()), STAGE, f"unreadable sources file: {exc}"))
        else:
            expanded.append((str(raw), None, False))
    for raw, name, allow_private in expanded:
        if name is not None:
            planned, missing = plan_inputs([raw], settings)
            units.extend(replace(u, source=name, named=True, allow_private=allow_private) for u in planned)
            bad.extend(missing)
            continue
        if str(raw) == STDIN:
            units.append(InputUnit(STDIN, "stdin"))
            continue
        if is_url(str(raw)):
            units.append(InputUnit(str(raw), _domain(str(raw)) or "web"))
            continue
        path = Path(raw).expanduser().resolve()
        if path.is_dir():
            for file in sorted(p for p in path.rglob("*") if p.is_file()):
                if input_kind(file.name)[0] and not file.name.startswith("."):
                    if not _inside(file, path):
                        bad.append(Quarantined(printable_path(str(file)), STAGE, "symlink leaves the input folder: not followed"))
                        continue
                    units.extend(_units_for_file(file, path.name, settings))
        elif path.is_file():
            if input_kind(path.name)[0]:
                units.extend(_units_for_file(path, path.parent.name, settings))
            else:
                bad.append(Quarantined(str(path), STAGE, f"unsupported file type {path.suffix!r}"))
        else:
            bad.append(Quarantined(str(path), STAGE, "no such file or folder"))
    return units, bad


def _inside(file: Path, folder: Path) -> bool:
    """True when `file`, with every symlink resolved, is still under `folder` (already resolved).

    A symlink in an input folder pointing at /etc/passwd or /proc/self/status must not be
    ingested as an article: whoever can drop a link in a watched folder could read any file.
    """
    try:
        return file.resolve().is_relative_to(folder)
    except (OSError, RuntimeError):  # a symlink loop
        return False


def sources_allow_private(path: Path) -> bool:
    """True when a sources file sets `allow_private_addresses = true` at its top level: links
    in its feeds may then reach internal addresses (see tasks/netpolicy.py)."""
    config = tomllib.loads(path.read_text(encoding="utf-8"))
    value = config.get("allow_private_addresses", False)
    if not isinstance(value, bool):
        raise ValueError("allow_private_addresses must be true or false")
    return value


def read_sources_file(path: Path) -> list[tuple[str, str]]:
    """Read a sources file: [[source]] tables with a `name` and any of `feeds`, `urls`, `paths`.

    Returns (input, source name) pairs; raises ValueError with the reason when malformed.
    """
    try:
        config = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"invalid TOML: {exc}") from None
    entries = config.get("source")
    if not isinstance(entries, list) or not entries:
        raise ValueError("no [[source]] tables")
    pairs = []
    for index, entry in enumerate(entries, start=1):
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not name:
            raise ValueError(f"[[source]] number {index} has no name")
        for key in ("feeds", "urls", "paths"):
            values = entry.get(key, [])
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise ValueError(f"source {name!r}: {key} must be a list of strings")
            for value in values:
                target = value if key != "paths" or is_url(value) else str((path.parent / value).resolve())
                pairs.append((target, name))
    return pairs


def _units_for_file(path: Path, source: str, settings: Settings) -> list[InputUnit]:
    """Split a JSONL file into line-aligned byte ranges and a WARC into ranges of about a
    batch of records; any other file is one unit."""
    if input_kind(path.name)[0] == "warc":
        from newsetl.tasks.warc import plan_warc  # warcio: only when a WARC is planned

        ranges, _ = plan_warc(str(path), settings.batch_size)
        return [InputUnit(str(path), source, start, end) for start, end in ranges]
    size = path.stat().st_size
    if input_kind(path.name) != ("jsonl", False) or size <= settings.jsonl_chunk_bytes:
        return [InputUnit(str(path), source)]
    bounds = [0]
    with path.open("rb") as fh:
        while bounds[-1] < size:
            fh.seek(bounds[-1] + settings.jsonl_chunk_bytes)
            fh.readline()  # move to the start of the next whole line
            bounds.append(min(fh.tell(), size))
    return [InputUnit(str(path), source, a, b) for a, b in zip(bounds, bounds[1:])]


def is_url(value: str) -> bool:
    """True for an http(s) URL."""
    return urlsplit(str(value)).scheme in ("http", "https")


def _domain(url: str) -> str | None:
    """Return the registrable domain of a URL ("news.bbc.co.uk" -> "bbc.co.uk"), else its host."""
    from newsetl.tasks.metadata.urls import registrable_domain  # tldextract: only when a URL is planned

    return registrable_domain(url)


def file_state(path: str) -> InputState | None:
    """Return a file's size and modification time as an InputState (None for stdin or a vanished file)."""
    try:
        stat = Path(path).stat()
    except OSError:
        return None
    return InputState(printable_path(path), size=stat.st_size, mtime_ns=stat.st_mtime_ns)


def unchanged_files(units: list[InputUnit], known: dict[str, InputState]) -> set[str]:
    """Return the paths whose size and modification time are those stored: they are not read."""
    same = set()
    for path in {u.path for u in units}:
        now, before = file_state(path), known.get(printable_path(path))
        if now and before and (now.size, now.mtime_ns) == (before.size, before.mtime_ns):
            same.add(path)
    return same

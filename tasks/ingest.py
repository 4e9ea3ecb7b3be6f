"""Ingest: turn files and folders into `Article` records, quarantining what cannot be read.

Two steps, so that huge inputs stream through in bounded memory:

* `plan_inputs(paths)` (tasks/plan.py) lists the units of work (one per file, one per byte range of a big
  JSONL file) without reading content;
* `read_units(units)` reads a batch of units into `Article`s and `Quarantined` records.

Supported: .txt/.md (plain text), .html/.htm (HTML), .jsonl (one article per line with
`text` or `html`, optional `id`, `url`, `title`, `source`, `published_at`), .json (one
such object, or a list of them) and .csv (a header row naming the same fields); each of
them gzip-compressed too (.gz), and `-` for standard input (JSON lines, HTML or text,
told apart by the first character).
"""

from __future__ import annotations

import codecs
import csv
import re
import gzip
import io
import json
import sys
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

from charset_normalizer import from_bytes
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from newsetl.tasks import stage_times, store
from newsetl.tasks.records import Article, InputState, Quarantined, content_hash, stable_id
from newsetl.tasks.sanitize import printable_path, sane_date, valid_text
from newsetl.tasks.settings import Settings
from newsetl.tasks.feeds import FetchResult, expand_url, fetch_entries
# Planning lives in tasks/plan.py (importable without Prefect); the names stay importable from here.
from newsetl.tasks.plan import (  # noqa: F401
    RECORD_KINDS, STDIN, InputUnit, file_state, input_kind, is_url, plan_inputs, unchanged_files,
)
from newsetl.tasks.metadata.urls import registrable_domain
from newsetl.tasks.warc import read_warc_range

STAGE = "ingest"

# More than this share of control characters (other than whitespace) in the first KiB
# means the bytes are not text, whatever the file extension says.
BINARY_CONTROL_SHARE = 0.05
BINARY_SNIFF_BYTES = 1024


class InputError(ValueError):
    """An input that cannot be turned into an article; its message is the quarantine error."""


def read_units(units: Iterable[InputUnit], settings: Settings, now: datetime | None = None) -> tuple[list[Article], list[Quarantined]]:
    """Read input units into articles; every unreadable file or record becomes a `Quarantined`."""
    fetched_at = now or datetime.now(timezone.utc)
    articles: list[Article] = []
    bad: list[Quarantined] = []
    for unit in units:
        found = 0
        for item in _read_unit(unit, settings, fetched_at):
            item = _valid_record(item)
            (articles if isinstance(item, Article) else bad).append(item)
            found += 1
        if not found and unit.start == 0:
            # An empty .jsonl/.json/.csv/.warc must not vanish without a trace (a later range
            # of a split file that holds only blank lines is not an input of its own).
            bad.append(Quarantined(printable_path(unit.path), STAGE, "no_records: the input holds no records"))
    return articles, bad


def _valid_record(item: Article | Quarantined) -> Article | Quarantined:
    """Return the record with every text field valid UTF-8: lone surrogates (from JSON
    escapes) replaced, non-UTF-8 file names escaped. Valid records come back unchanged."""
    if isinstance(item, Quarantined):
        return replace(item, source_uri=printable_path(item.source_uri), error=valid_text(item.error), detail=valid_text(item.detail))
    fields = {"source_uri": printable_path(item.source_uri), "source": printable_path(item.source), "raw_text": valid_text(item.raw_text)}
    for name in ("url", "title"):
        value = getattr(item, name)
        if value is not None:
            fields[name] = valid_text(value)
    changed = {k: v for k, v in fields.items() if v is not getattr(item, k)}
    if not changed:
        return item
    note = "text fields held invalid Unicode (lone surrogates or a non-UTF-8 file name): replaced or escaped"
    return replace(item, **changed, notes=(*item.notes, note))


def _read_unit(unit: InputUnit, settings: Settings, fetched_at: datetime) -> Iterator[Article | Quarantined]:
    if input_kind(unit.path)[0] == "warc":
        yield from read_warc_range(unit.path, unit.start, unit.end, settings.max_file_bytes, _domain, _decode_body)
        return
    try:
        data, kind = _unit_bytes(unit, settings)
    except (OSError, InputError) as exc:
        yield Quarantined(unit.path, STAGE, str(exc), content_hash=None)
        return
    if kind in ("text", "html"):
        try:
            text = _decode_body(data, None) if kind == "html" else decode_text(data)
        except InputError as exc:
            yield Quarantined(unit.path, STAGE, str(exc), content_hash=content_hash(data))
            return
        yield Article(
            doc_id=stable_id(unit.path if unit.path != STDIN else content_hash(data)),
            source_uri=unit.path if unit.path != STDIN else f"stdin#{content_hash(data)[:16]}",
            source=unit.source,
            source_from="sources_file" if unit.named else "folder",
            raw_text=text,
            content_hash=content_hash(data),
            input_format=kind,
            fetched_at=fetched_at,
        )
    elif kind == "jsonl":
        yield from _read_jsonl(unit, data, fetched_at)
    elif kind == "csv":
        yield from _read_csv(unit, data, fetched_at)
    else:
        yield from _read_json(unit, data, fetched_at)


def _unit_bytes(unit: InputUnit, settings: Settings) -> tuple[bytes, str]:
    """Read a unit's bytes (decompressed, at most max_file_bytes) and tell its kind."""
    limit = settings.max_file_bytes
    too_big = f"over the {limit:,}-byte limit"
    if unit.path == STDIN:
        data = sys.stdin.buffer.read(limit + 1)
        if len(data) > limit:
            raise InputError(f"standard input is {too_big}")
        head = data.lstrip()[:1]
        return data, "jsonl" if head in (b"{", b"[") else "html" if head == b"<" else "text"
    path = Path(unit.path)
    kind, compressed = input_kind(path.name)
    if compressed:
        try:
            with gzip.open(path, "rb") as fh:
                data = fh.read(limit + 1)
        except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
            raise InputError(f"corrupt or truncated gzip file: {exc}") from None
        if len(data) > limit:
            raise InputError(f"decompressed content is {too_big}")
        return data, kind
    size = path.stat().st_size
    if unit.end is None and size > limit:
        raise InputError(f"file is {size:,} bytes, {too_big}")
    return _read_bytes(path, unit.start, unit.end), kind


def _read_bytes(path: Path, start: int, end: int | None) -> bytes:
    with path.open("rb") as fh:
        fh.seek(start)
        return fh.read() if end is None else fh.read(end - start)


def decode_text(data: bytes) -> str:
    """Decode bytes of unknown encoding to text; raise `InputError` for binary or empty content.

    A byte-order mark decides first (UTF-8, UTF-16 and UTF-32, either byte order); then
    valid UTF-8; text that is UTF-8 but for a few stray bytes (mixed encodings: a Latin-1
    paragraph pasted into a UTF-8 page) keeps its UTF-8 and reads the stray bytes as
    Windows-1252; anything else gets charset-normalizer's best guess.
    """
    text = _decode_bom(data)
    if text is None:
        head = data[:BINARY_SNIFF_BYTES]
        controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
        if b"\x00" in head or (head and controls / len(head) > BINARY_CONTROL_SHARE):
            raise InputError("binary content, not text")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _mostly_utf8(data)
    if text is None:
        guess = from_bytes(data).best()
        if guess is None:
            raise InputError("undecodable bytes: no text encoding fits") from None
        text = str(guess)
    if not text.strip():
        raise InputError("empty or whitespace-only content")
    return text


# Byte-order marks, longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _decode_bom(data: bytes) -> str | None:
    """Decode data that starts with a byte-order mark (mark removed); None without one.
    Raises InputError when the bytes after the mark do not fit its encoding."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as exc:
                # A UTF-8 file with a few stray Windows-1252 bytes keeps its mixed-encoding repair.
                repaired = _mostly_utf8(data[len(bom) :]) if encoding == "utf-8" else None
                if repaired is not None:
                    return repaired
                raise InputError(f"not {encoding.upper()} although it starts with its byte-order mark: {exc.reason}") from None
    return None


# Share of bytes that may be invalid UTF-8 for a text still to count as UTF-8 with strays.
MAX_STRAY_BYTE_SHARE = 0.3


def _stray_as_cp1252(exc: UnicodeDecodeError) -> tuple[str, int]:
    return exc.object[exc.start : exc.end].decode("cp1252", errors="replace"), exc.end


codecs.register_error("newsetl_stray_cp1252", _stray_as_cp1252)


def _mostly_utf8(data: bytes) -> str | None:
    """Decode UTF-8 with stray non-UTF-8 bytes read as Windows-1252; None unless the data also
    holds valid multi-byte UTF-8 (the evidence that it is UTF-8 at all)."""
    lenient = data.decode("utf-8", errors="replace")
    strays = lenient.count("\ufffd")
    has_utf8 = any(ord(ch) > 0x7F and ch != "\ufffd" for ch in lenient)
    if not has_utf8 or strays > MAX_STRAY_BYTE_SHARE * len(data):
        return None
    return data.decode("utf-8", errors="newsetl_stray_cp1252").removeprefix("\ufeff")


def _read_jsonl(unit: InputUnit, data: bytes, fetched_at: datetime) -> Iterator[Article | Quarantined]:
    base_line = _line_number_at(unit) if unit.start else 0
    for offset, line in enumerate(data.splitlines(), start=base_line + 1):
        if not line.strip():
            continue
        yield parse_record_line(line, unit, f"{unit.path}#L{offset}", fetched_at)


def parse_record_line(line: bytes, unit: InputUnit, where: str, fetched_at: datetime) -> Article | Quarantined:
    """Parse one JSON line into an Article (see the module doc for its fields), or quarantine it.

    `unit` names the file (or stream) it came from; `where` is its location for errors.
    """
    try:
        obj = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return Quarantined(where, STAGE, f"malformed JSON line: {exc}", content_hash=content_hash(line))
    return record_to_article(obj, unit, where, line, fetched_at)


def _read_csv(unit: InputUnit, data: bytes, fetched_at: datetime) -> Iterator[Article | Quarantined]:
    """Read a CSV file whose header names the JSONL fields (`text` or `html`, `id`, `url`, …)."""
    try:
        text = decode_text(data)
    except InputError as exc:
        yield Quarantined(unit.path, STAGE, str(exc), content_hash=content_hash(data))
        return
    csv.field_size_limit(sys.maxsize)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames or not {"text", "html"} & set(reader.fieldnames):
        yield Quarantined(unit.path, STAGE, "CSV header has no 'text' or 'html' column", content_hash=content_hash(data))
        return
    try:
        for row in reader:
            where = f"{unit.path}#L{reader.line_num}"
            record = {key: value for key, value in row.items() if key is not None and value not in (None, "")}
            yield record_to_article(record, unit, where, json.dumps(record, sort_keys=True).encode(), fetched_at)
    except csv.Error as exc:
        yield Quarantined(f"{unit.path}#L{reader.line_num}", STAGE, f"malformed CSV: {exc}", content_hash=content_hash(data))


def _line_number_at(unit: InputUnit) -> int:
    """Count the lines before `unit.start`, so quarantine rows name the real line number."""
    count = 0
    with open(unit.path, "rb") as fh:
        remaining = unit.start
        while remaining > 0:
            block = fh.read(min(remaining, 1 << 20))
            if not block:
                break
            count += block.count(b"\n")
            remaining -= len(block)
    return count


def _read_json(unit: InputUnit, data: bytes, fetched_at: datetime) -> Iterator[Article | Quarantined]:
    try:
        obj = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        yield Quarantined(unit.path, STAGE, f"malformed JSON: {exc}", content_hash=content_hash(data))
        return
    items = obj if isinstance(obj, list) else [obj]
    for index, item in enumerate(items):
        where = unit.path if len(items) == 1 else f"{unit.path}#{index}"
        yield record_to_article(item, unit, where, json.dumps(item, sort_keys=True).encode(), fetched_at)


def record_to_article(obj: object, unit: InputUnit, where: str, raw: bytes, fetched_at: datetime) -> Article | Quarantined:
    """Map one JSON object ({"text" or "html", "id", "url", "title", "source", "published_at"})
    onto an Article, or quarantine it with the reason."""
    if not isinstance(obj, dict):
        return Quarantined(where, STAGE, "JSON record is not an object", content_hash=content_hash(raw))
    html, text = obj.get("html"), obj.get("text")
    body = html if isinstance(html, str) and html.strip() else text
    if not isinstance(body, str) or not body.strip():
        return Quarantined(where, STAGE, "record has no non-empty 'text' or 'html' field", content_hash=content_hash(raw))
    url = obj.get("url") if isinstance(obj.get("url"), str) else None
    record_id = obj.get("id")
    if url:
        source_uri = url
    elif record_id is not None:
        source_uri = f"{unit.path}#{record_id}"
    else:
        source_uri = where
    published_at, date_note = _parse_date(obj.get("published_at"))
    source, source_from = _record_source(obj, unit, url)
    return Article(
        doc_id=stable_id(source_uri),
        source_uri=source_uri,
        source=source,
        source_from=source_from,
        raw_text=body,
        content_hash=content_hash(body),
        input_format="html" if body is html else "text",
        fetched_at=fetched_at,
        url=url,
        title=obj.get("title") if isinstance(obj.get("title"), str) else None,
        published_at=published_at,
        published_from="input" if published_at else None,
        notes=(date_note,) if date_note else (),
    )


def _record_source(obj: dict, unit: InputUnit, url: str | None) -> tuple[str, str]:
    """A record's (source, source_from): its own `source` field, else the sources file's
    name, else its URL's registrable domain, else (last resort) the file's name."""
    given = obj.get("source")
    if isinstance(given, str) and given.strip():
        return given, "input"
    if unit.named:
        return unit.source, "sources_file"
    domain = _domain(url) if url else None
    if domain:
        return domain, "url"
    return Path(unit.path).stem, "folder"


def _parse_date(value: object) -> tuple[datetime | None, str | None]:
    """Parse an ISO-8601 date (naive dates are taken as UTC). Returns (date, None), or
    (None, a note) when it is unusable or outside 1900..tomorrow; (None, None) when absent."""
    if value in (None, ""):
        return None, None
    try:
        parsed = datetime.fromisoformat(valid_text(str(value)).replace("Z", "+00:00"))
    except ValueError:
        return None, f"published_at {valid_text(str(value))[:60]!r} is not an ISO-8601 date, dropped"
    return sane_date(parsed)


def _domain(url: str) -> str | None:
    """Return the registrable domain of a URL ("news.bbc.co.uk" -> "bbc.co.uk"), else its host."""
    return registrable_domain(url)


def _decode_body(body: bytes, charset: str | None) -> str:
    """Decode an HTML body: a byte-order mark, else valid UTF-8 (whatever is declared: pages
    saved as UTF-8 keep their old Latin-1 <meta>), else the HTTP header's charset, else the
    page's <meta> charset, else `decode_text`'s detection (stray-byte repair included).
    Raises InputError (a ValueError) when nothing fits."""
    text = _decode_bom(body)
    if text is not None:
        if not text.strip():
            raise InputError("empty or whitespace-only content")
        return text
    head = body[:BINARY_SNIFF_BYTES]
    if b"\x00" in head:
        raise InputError("binary content, not text")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and text.strip():
        return text
    for candidate in (_browser_charset(charset), _meta_charset(body)):
        if not candidate:
            continue
        try:
            text = body.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
        if text.strip():
            return text
    return decode_text(body)


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.IGNORECASE)
# What browsers decode a declared charset as (WHATWG Encoding): Latin-1 and ASCII pages are
# read as Windows-1252, which gives the same letters and also has the curly quotes they use.
_CHARSET_AS = {"iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252"}


def _meta_charset(body: bytes) -> str | None:
    """Return the charset a page declares in a <meta> tag within its first 4 KiB, if any
    (as a browser reads it: ISO-8859-1 and ASCII mean Windows-1252)."""
    match = _META_CHARSET.search(body[:4096])
    return _browser_charset(match.group(1).decode("ascii")) if match else None


def _browser_charset(declared: str | None) -> str | None:
    return _CHARSET_AS.get(declared.strip().lower(), declared.strip().lower()) if declared else None


def batch_units(units: Iterable[InputUnit], batch_size: int) -> Iterator[list[InputUnit]]:
    """Group units into batches of about `batch_size` articles.

    Whole files count as one article each; a JSONL file or byte range holds many articles
    (its byte range is sized for about a batch), so it forms a batch of its own.
    """
    batch: list[InputUnit] = []
    for unit in units:
        if unit.path == STDIN or (not is_url(unit.path) and input_kind(unit.path)[0] in RECORD_KINDS):
            if batch:
                yield batch
                batch = []
            yield [unit]
        else:
            batch.append(unit)
            if len(batch) >= batch_size:
                yield batch
                batch = []
    if batch:
        yield batch


def only_changed(articles: list[Article], stored_hashes: dict[str, str]) -> list[Article]:
    """Drop the articles stored before with the same content hash. Of records that share an
    id within the batch, the last one read is kept (in the place of the first), as it would
    be had a later batch read it: a later record with the same id replaces the stored one."""
    latest: dict[str, Article] = {}
    for article in articles:
        latest[article.doc_id] = article  # insertion order stays that of the first occurrence
    return [a for a in latest.values() if stored_hashes.get(a.doc_id) != a.content_hash]


def expand_feeds(
    units: Iterable[InputUnit], settings: Settings, retry: frozenset[str] = frozenset(),
    on_expanded: Callable[[int], None] = lambda more: None,
) -> Iterator[InputUnit]:
    """Yield `units` in order, each URL the user gave replaced by the units its fetch gives
    (tasks/feeds.py): one per feed entry, or the page itself, or its failure. Lazy: a feed
    is fetched when the consumer reaches it, its pages later, batch by batch, by
    `ingest_task`. `on_expanded(n)` is told how many more units than planned a URL gave."""
    seen: set[str] = set()
    retried = {printable_path(path) for path in retry}
    for unit in units:
        if not is_url(unit.path) or unit.feed is not None:
            yield unit
            continue
        known = {} if settings.full_refresh or unit.path in retried else store.input_states(settings.db_path, [unit.path], settings.db_lock_timeout_s)
        entries = expand_url(
            unit.path, known.get(unit.path), domain_of=_domain, seen=seen, source_name=unit.source if unit.named else None,
            allow_private=unit.allow_private or settings.allow_private_addresses, timeout_s=settings.http_timeout_s,
            max_bytes=settings.max_file_bytes, entry_deadline_s=settings.http_entry_deadline_s,
        )
        on_expanded(len(entries) - 1)
        for entry in entries:
            yield replace(unit, path=entry.url, feed=entry)


def fetch_units(units: list[InputUnit], settings: Settings, stored: Callable[[list[str]], set[str]]) -> FetchResult:
    """Fetch the pages of a batch of expanded URL units (see `expand_feeds`, tasks/feeds.py).

    Units from a sources file allowing private addresses are fetched apart from the rest,
    so that the setting widens only its own feeds."""
    results = []
    for allow_private in (False, True):
        group = [u.feed for u in units if (u.allow_private or settings.allow_private_addresses) == allow_private]
        if group:
            results.append(fetch_entries(
                group, _domain, _decode_body, stored, allow_private=allow_private, timeout_s=settings.http_timeout_s,
                max_bytes=settings.max_file_bytes, entry_deadline_s=settings.http_entry_deadline_s,
            ))
    return FetchResult(
        [a for r in results for a in r.articles], [q for r in results for q in r.quarantined],
        [st for r in results for st in r.states], sum(r.unchanged for r in results),
    )


def drop_unchanged_files(units: list[InputUnit], settings: Settings, retry: frozenset[str] = frozenset()) -> tuple[list[InputUnit], int, int]:
    """Drop the local files stored before with the same size and mtime from a run's planned
    units (not with --full-refresh, never an input in `retry`): they are not read. Returns
    (units still to read, in order; how many units were dropped; how many files they were).

    The flow calls this once for all its inputs, so a scheduled run over a large folder
    with a few new files makes batches of the new files only, instead of one ingest task
    per batch of unchanged ones (ingest_task checks again for callers that skip this)."""
    skipped = _unchanged_file_paths([u for u in units if not is_url(u.path) and u.path != STDIN], settings, retry)
    kept = [u for u in units if u.path not in skipped]
    return kept, len(units) - len(kept), len(skipped)


def _unchanged_file_paths(files: list[InputUnit], settings: Settings, retry: frozenset[str]) -> set[str]:
    """The paths of `files` (local file units) stored before with the same size and mtime,
    none of them in `retry`; none with --full-refresh."""
    if settings.full_refresh or not files:
        return set()
    known = store.input_states(settings.db_path, sorted({printable_path(u.path) for u in files}), settings.db_lock_timeout_s)
    retried = {printable_path(path) for path in retry}
    return unchanged_files(files, {uri: state for uri, state in known.items() if uri not in retried})


# No task timeout: a timeout restarted the whole batch from scratch, so one slow feed
# entry cost every entry of the feed. Each URL has its own deadline instead (fetch.py).
@task(name="ingest", cache_policy=NO_CACHE, persist_result=False, retries=2, retry_delay_seconds=[1, 5], retry_condition_fn=store.retry_unless_permanent)
def ingest_task(
    units: list[InputUnit], settings: Settings, retry: frozenset[str] = frozenset()
) -> tuple[list[Article], list[Quarantined], int, list[InputState]]:
    """Prefect task: read (or fetch) a batch of inputs, keep what is new or changed.

    Files whose size and mtime are unchanged since they were stored are not read; URLs
    are fetched conditionally; inputs in `retry` (quarantined before, see flows/pipeline.py)
    are read again whatever their state. Returns (new or changed articles, quarantined inputs, number
    of unchanged articles and files, input states to remember once the articles are stored).
    """
    started = time.perf_counter()
    db, lock = settings.db_path, settings.db_lock_timeout_s
    # URL units reach here expanded (flows/pipeline.py streams feeds into batches); a
    # caller that did not expand them gets all of a feed's pages in this one batch.
    units = list(expand_feeds(units, settings, retry))
    urls = [u for u in units if is_url(u.path)]
    files = [u for u in units if not is_url(u.path) and u.path != STDIN]
    skipped = _unchanged_file_paths(files, settings, retry)
    to_read = [u for u in units if not is_url(u.path) and u.path not in skipped]
    articles, bad = read_units(to_read, settings)
    # A file is remembered when its last range is read (a run that stops halfway reads it again).
    states = [st for u in to_read if u.path != STDIN and u.end is None and (st := file_state(u.path))]
    fetched_unchanged = 0
    if urls:
        stored_urls = (lambda found: set()) if settings.full_refresh else (lambda found: store.stored_urls(db, found, lock))
        fetched = fetch_units(urls, settings, stored_urls)
        articles += fetched.articles
        bad += fetched.quarantined
        states += fetched.states
        fetched_unchanged = fetched.unchanged
    stored_hashes = {} if settings.full_refresh else store.stored_content_hashes(db, [a.doc_id for a in articles], lock)
    fresh = only_changed(articles, stored_hashes)
    unchanged = len(articles) - len(fresh) + fetched_unchanged + len({u.path for u in files if u.path in skipped})
    get_run_logger().info(
        "read %d inputs (%d files unchanged, not read): %d articles, %d new or changed, %d unchanged, %d quarantined",
        len(units), len(skipped), len(articles), len(fresh), unchanged, len(bad),
    )
    stage_times.add("ingest", time.perf_counter() - started)
    return fresh, bad, unchanged, states

"""The one module that talks to DuckDB.

Every connection is short: opened to read or write one batch and closed right after, so
analysts can open the file between batches (a DuckDB file open read-write in one process
cannot be opened by any other). A step that makes several calls in a row (a run's start,
one batch's dedup and write) holds the file open for their length (`held`), so that each
call's connection costs nothing instead of reading the catalog again. When another
process holds the file, we retry with backoff and log why we wait. Batches are written through Arrow in one transaction, so a
reader never sees an article without its entities.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import random
import shutil
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pyarrow as pa

from newsetl.tasks.records import (
    Article, Decision, DedupResult, Entity, InputState, Neighbour, Quarantined, RemovedLine, StoredNeighbours,
)

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
if TYPE_CHECKING:
    from newsetl.tasks.source_chrome import SourceHistory
    from newsetl.tasks.term_vectors import TermRows

log = logging.getLogger("newsetl.store")


def sql_file(relative: str) -> str:
    """Return the text of a statement file under sql/."""
    return (SQL_DIR / relative).read_text(encoding="utf-8")


def _is_lock_error(exc: duckdb.Error) -> bool:
    return "lock" in str(exc).lower()


class StorageError(RuntimeError):
    """The database file cannot be written for a reason a retry will not fix (disk full,
    read-only file system, no permission, held by another process past the lock timeout).
    The message says what happened and where, once."""


# (errno, words DuckDB uses in its message) -> what to tell the operator.
_STORAGE_FAULTS = (
    (errno.ENOSPC, "no space left on device", "no space left on device"),
    (errno.EROFS, "read-only file system", "read-only file system"),
    (errno.EACCES, "permission denied", "permission denied"),
)


def storage_error(exc: BaseException, db_path: str | Path) -> StorageError | None:
    """Return a `StorageError` naming the cause and the path when `exc` is a disk-full,
    read-only, permission or lock failure of the database file; None for anything else."""
    text = str(exc).lower()
    code = getattr(exc, "errno", None)
    for number, words, said in _STORAGE_FAULTS:
        if code == number or words in text:
            return StorageError(f"{said}: cannot write {db_path}")
    if isinstance(exc, duckdb.Error) and _is_lock_error(exc):
        return StorageError(f"database {db_path} is held by another process: gave up waiting for its lock ({exc})")
    return None


def retry_unless_permanent(task, task_run, state) -> bool:
    """Prefect retry condition: retry a failed I/O task unless its error is a `StorageError`
    (a full disk or a read-only file system does not heal in 30 s, and connect() already
    waited for the lock)."""
    exc = state.data if isinstance(getattr(state, "data", None), BaseException) else state.result(raise_on_failure=False)
    return not isinstance(exc, StorageError)


_held: dict[str, int] = {}  # database files this process holds open (`held`): path -> depth
_held_lock = threading.Lock()


def _held_key(db_path: str | Path) -> str:
    return os.path.realpath(db_path)


@contextmanager
def held(db_path: str | Path) -> Iterator[None]:
    """Keep the database open in this process for the block, if no other process has it now
    (never waits: otherwise each call opens it as before). DuckDB shares one open database
    between the connections of a process, so a `connect` inside the block takes ~0.5 ms
    instead of 15-35 ms (reading the catalog of a 1,552-article file), and the file is
    checkpointed once, when the block ends, not at every write's close. Connections inside
    are all read-write (DuckDB refuses a read-only one beside a read-write one); each call
    still has its own connection and transaction. Other processes wait for the block's end,
    as they wait for any write: blocks stay as short as one step of the flow."""
    key = _held_key(db_path)
    try:
        anchor = duckdb.connect(str(db_path)) if Path(db_path).is_file() else None
    except duckdb.Error:  # held elsewhere, read-only file...: each call copes as without a hold
        anchor = None
    if anchor is None:
        yield
        return
    with _held_lock:
        _held[key] = _held.get(key, 0) + 1
    failed = True
    try:
        yield
        failed = False
    finally:
        with _held_lock:
            _held[key] -= 1
            if not _held[key]:
                del _held[key]
        try:
            anchor.close()  # the checkpoint of what the block wrote
        except (duckdb.Error, OSError) as exc:
            if not failed:  # said once: the block's own error comes first
                raise storage_error(exc, db_path) or exc from exc


@contextmanager
def connect(db_path: str | Path, read_only: bool = False, timeout_s: float = 120.0) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the database briefly; retry with backoff while another process holds the file.
    Inside `held` the connection is read-write whatever `read_only` says.

    Disk-full, read-only, permission and lock-timeout failures, opening or using the
    connection, are raised as `StorageError` with the cause and the path."""
    deadline = time.monotonic() + timeout_s
    delay = 0.05
    if read_only and _held:
        with _held_lock:
            read_only = _held_key(db_path) not in _held
    while True:
        try:
            con = duckdb.connect(str(db_path), read_only=read_only)
            break
        except duckdb.Error as exc:
            if not _is_lock_error(exc) or time.monotonic() >= deadline:
                raise storage_error(exc, db_path) or exc from exc
            log.warning("database %s is held by another process; retrying in %.1fs (%s)", db_path, delay, exc)
            time.sleep(delay + random.uniform(0, delay / 2))
            delay = min(delay * 2, 2.0)
    try:
        yield con
    except (duckdb.Error, OSError) as exc:
        mapped = storage_error(exc, db_path)
        if mapped is None:
            raise
        raise mapped from exc
    finally:
        try:
            con.close()
        except duckdb.Error:  # closing after a failed write (disk full) fails the same way: said above
            pass


def migrate(db_path: str | Path, timeout_s: float = 120.0) -> list[str]:
    """Create or upgrade the schema (sql/schema/NNN_*.sql, each applied once) and re-create the views.

    Returns the names of the migrations applied now.
    """
    try:
        Path(db_path).parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise storage_error(exc, db_path) or exc from exc
    applied_now = []
    with connect(db_path, timeout_s=timeout_s) as con:
        con.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMPTZ)"
        )
        done = {row[0] for row in con.execute("SELECT version FROM schema_migrations").fetchall()}
        for path in sorted((SQL_DIR / "schema").glob("*.sql")):
            version = int(path.name.split("_", 1)[0])
            if version in done:
                continue
            con.begin()
            con.execute(path.read_text(encoding="utf-8"))
            con.execute("INSERT INTO schema_migrations VALUES (?, ?, now())", [version, path.stem])
            con.commit()
            applied_now.append(path.stem)
        con.execute(sql_file("views.sql"))
        _flush_pending_runs(con, db_path)
    return applied_now


def stored_content_hashes(db_path: str | Path, doc_ids: list[str], timeout_s: float = 120.0) -> dict[str, str]:
    """Return {doc_id: content_hash} for the given ids that are already stored."""
    if not doc_ids:
        return {}
    with connect(db_path, read_only=True, timeout_s=timeout_s) as con:
        rows = con.execute(
            "SELECT doc_id, content_hash FROM articles WHERE doc_id IN (SELECT unnest($ids))", {"ids": doc_ids}
        ).fetchall()
    return dict(rows)


def source_history(
    db_path: str | Path, articles: list[Article], page_keys: dict[str, frozenset[str]], timeout_s: float = 120.0
) -> SourceHistory:
    """Return how many stored pages each source of the batch has, and on how many of them
    each short line of the batch (`page_keys`: doc_id -> line keys) occurs; the batch's
    own doc_ids are not counted."""
    from newsetl.tasks.source_chrome import SourceHistory  # its imports load Prefect: not at module level

    if not articles:
        return SourceHistory()
    ids = pa.table({"doc_id": pa.array([a.doc_id for a in articles], pa.string())})
    pairs = sorted({(a.source, key) for a in articles for key in page_keys[a.doc_id]})
    lines = pa.table({"source": pa.array([s for s, _ in pairs], pa.string()), "key": pa.array([k for _, k in pairs], pa.string())})
    sources = sorted({a.source for a in articles})
    with connect(db_path, read_only=True, timeout_s=timeout_s) as con:
        con.register("batch_doc_ids", ids)
        con.register("batch_lines", lines)
        pages = con.execute(
            "SELECT source, count(*) FROM articles WHERE source IN (SELECT unnest($s))"
            " AND doc_id NOT IN (SELECT doc_id FROM batch_doc_ids) GROUP BY source",
            {"s": sources},
        ).fetchall()
        line_pages = con.execute(sql_file("queries/source_history.sql")).fetchall()
    return SourceHistory(dict(pages), {(s, k): n for s, k, n in line_pages})


def input_states(db_path: str | Path, uris: list[str], timeout_s: float = 120.0) -> dict[str, InputState]:
    """Return what was stored about the given inputs (file size and mtime, URL validators)."""
    if not uris:
        return {}
    with connect(db_path, read_only=True, timeout_s=timeout_s) as con:
        rows = con.execute(
            "SELECT uri, etag, last_modified, content_hash, size, mtime_ns FROM input_state WHERE uri IN (SELECT unnest($u))",
            {"u": uris},
        ).fetchall()
    return {row[0]: InputState(*row) for row in rows}


def stored_urls(db_path: str | Path, urls: list[str], timeout_s: float = 120.0) -> set[str]:
    """Return which of the given URLs are stored as articles (by source_uri)."""
    if not urls:
        return set()
    with connect(db_path, read_only=True, timeout_s=timeout_s) as con:
        rows = con.execute("SELECT source_uri FROM articles WHERE source_uri IN (SELECT unnest($u))", {"u": urls}).fetchall()
    return {row[0] for row in rows}


def write_input_states(db_path: str | Path, states: list[InputState], timeout_s: float = 120.0) -> None:
    """Remember inputs as processed (written after their articles are stored)."""
    if not states:
        return
    now = datetime.now(timezone.utc)
    rows = [{**asdict(st), "seen_at": now} for st in {st.uri: st for st in states}.values()]
    schema = pa.schema([("uri", pa.string()), ("etag", pa.string()), ("last_modified", pa.string()),
                        ("content_hash", pa.string()), ("size", pa.int64()), ("mtime_ns", pa.int64()),
                        ("seen_at", pa.timestamp("us", tz="UTC"))])
    with connect(db_path, timeout_s=timeout_s) as con:
        con.register("batch_input_state", _table(rows, schema))
        con.execute(sql_file("queries/write_input_state.sql"))


def term_stats(db_path: str | Path, terms: list[str], timeout_s: float = 120.0) -> tuple[dict[str, int], int]:
    """Return ({term: stored document frequency} for the given terms, number of stored content articles)."""
    with connect(db_path, read_only=True, timeout_s=timeout_s) as con:
        con.register("batch_terms", pa.table({"term": pa.array(terms, pa.string())}))
        df = con.execute("SELECT d.term, d.df FROM term_df AS d JOIN batch_terms AS b USING (term)").fetchall()
        # dup_group is NULL only while `newsetl restory` has not reached an article yet
        [(n_docs,)] = con.execute("SELECT count(*) FROM articles WHERE is_article AND dup_group IS NOT NULL").fetchall()
    return dict(df), n_docs


def merge_intervals(intervals: list[tuple]) -> list[tuple]:
    """Return the union of closed (lo, hi) intervals as few disjoint ones, sorted: the story
    lookup's prefilter, so that a batch's ranges cost a few comparisons per stored article."""
    merged: list[list] = []
    for lo, hi in sorted(intervals):
        if merged and lo <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    return [(lo, hi) for lo, hi in merged]


# The most constant time ranges a story lookup filters the story index by, for each of the
# seen and fetched times: a batch's merged intervals are few (one for a feed's batch, a few
# for a folder of old articles), but a batch of pages from many years can have up to one per
# article; beyond this many, the closest ones are joined (a wider range: more of the index
# read, never less than needed). Not calibrated: it moves what is read, never a result.
MAX_TIME_RANGES = 16


def coarsened(intervals: list[tuple], most: int) -> list[tuple]:
    """Return sorted disjoint (lo, hi) `intervals` as at most `most` ranges covering them all,
    joining across the smallest gaps first."""
    ranges = [list(r) for r in intervals]
    while len(ranges) > most:
        k = min(range(len(ranges) - 1), key=lambda i: ranges[i + 1][0] - ranges[i][1])
        ranges[k:k + 2] = [[ranges[k][0], ranges[k + 1][1]]]
    return [(lo, hi) for lo, hi in ranges]


def _pool_rows(table: pa.Table, name_key) -> tuple[list[tuple], TermRows]:
    """Return the rows of the story-candidates Arrow table as tuples without their
    `term_counts` MAP column, their `names` as tuples of `name_key(canonical, entity_id)`,
    and the term counts as TermRows (tasks/term_vectors.py): they stay arrays (DuckDB's
    conversion of MAP values to Python took 0.87 s for a pool of 1,800 articles; dicts
    through Arrow 0.11 s; these arrays and the TF-IDF matrix, 0.03 s)."""
    from newsetl.tasks.term_vectors import TermRows  # pyarrow.compute and scipy: only where dedup runs

    columns = [
        _name_keys(table.column(name), name_key) if name == "names" else _python_values(table.column(name))
        for name in table.column_names if name != "term_counts"
    ]
    return list(zip(*columns)), TermRows.from_map_column(table.column("term_counts"))


def _name_keys(column: pa.ChunkedArray, name_key) -> list[tuple[str, ...]]:
    """Return a list<[canonical, entity_id]> column as one tuple of name keys per row, each
    distinct pair keyed once. As nested Python lists, then one name_key call per pair, the
    pool's ~25,000 pairs took 29 ms a batch at bench/pipeline_growth.py's 100k; this way 7 ms."""
    rows = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    pairs = rows.flatten()
    values = pairs.flatten().to_pylist()
    if len(values) != 2 * len(pairs):  # story_candidates.sql lists [canonical, entity_id] pairs
        raise ValueError("story candidates' names are not [canonical, entity_id] pairs")
    keys: dict[tuple, str] = {}
    flat = []
    for pair in zip(values[0::2], values[1::2]):
        key = keys.get(pair)
        if key is None:
            key = keys[pair] = name_key(*pair)
        flat.append(key)
    out, start = [], 0
    for length in rows.value_lengths().to_pylist():
        out.append(tuple(flat[start : start + (length or 0)]))
        start += length or 0
    return out


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _python_values(column: pa.ChunkedArray) -> list:
    """Return an Arrow column as Python values; time-zoned timestamps as UTC datetimes built
    from their integer microseconds: pyarrow's own conversion goes through the zone database
    for each value (28 ms for the ~8,700 timestamps of a 100k-archive batch's story pool,
    against 5 ms; the same instants)."""
    if pa.types.is_timestamp(column.type) and column.type.tz is not None and column.type.unit == "us":
        return [None if us is None else _EPOCH + timedelta(microseconds=us) for us in column.cast(pa.int64()).to_pylist()]
    return column.to_pylist()


def dedup_neighbours(
    db_path: str | Path,
    doc_ids: list[str],
    text_hashes: list[str],
    band_keys: list[tuple[int, int]],
    reach: dict[str, tuple] | None,
    story_terms: dict[str, list[str]] | None = None,
    per_article: int = 10,
    min_shared_terms: int = 2,
    timeout_s: float = 120.0,
    entity_kinds: tuple[str, ...] = (),
    name_key=lambda canonical, entity_id=None: entity_id or canonical,
    needs_text=None,
) -> StoredNeighbours:
    """Fetch from storage what dedup needs for a batch: exact-hash matches, LSH candidates, and
    the stored articles each batch article can reach in time that share most of its top
    terms (`story_terms`: doc_id -> terms), `per_article` of them per batch article, each
    with its entity names of `entity_kinds` (as keys by `name_key(canonical, entity_id)`) and its story's time span.

    `reach`: doc_id -> (seen_since, seen_until, fetched_since, fetched_until,
    crawl_dated_until), as tasks/dedup.py story_reach gives it (None: no story lookup);
    sql/queries/story_candidates.sql says what each bound means.

    `needs_text(band keys shared, copy_sketch, n_shingles)`: whether a copy candidate may be a
    copy (tasks/copy_sketch.py); only those come with their clean_text (None: all of them)."""
    ids = pa.table({"doc_id": pa.array(doc_ids, pa.string())})
    keys = pa.table({"band": pa.array([b for b, _ in band_keys], pa.int16()), "key": pa.array([k for _, k in band_keys], pa.int64())})
    with connect(db_path, read_only=True, timeout_s=timeout_s) as con:
        con.register("batch_doc_ids", ids)
        con.register("batch_keys", keys)
        exact = con.execute(sql_file("queries/exact_copies.sql"), {"hashes": text_hashes}).fetchall()
        candidates = con.execute(sql_file("queries/copy_candidates.sql")).fetchall()
        read = sorted(row[-3] for row in candidates if needs_text is None or needs_text(set(zip(row[0], row[1])), row[-2], row[-1]))
        texts = dict(con.execute(sql_file("queries/candidate_texts.sql"), {"rows": read}).fetchall()) if read else {}
        pool, pool_terms, pool_texts = [], None, {}
        reach = {d: r for d, r in (reach or {}).items() if d in (story_terms or {})}
        if reach:
            pairs = [(d, t) for d, terms in sorted(story_terms.items()) if d in reach for t in terms]
            con.register("batch_terms", pa.table({"doc_id": pa.array([d for d, _ in pairs], pa.string()), "term": pa.array([t for _, t in pairs], pa.string())}))
            time = pa.timestamp("us", tz="UTC")
            columns = list(zip(*[(d, *r) for d, r in sorted(reach.items())]))
            con.register("batch_reach", pa.table(
                {"doc_id": pa.array(columns[0], pa.string()), **{
                    name: pa.array(values, time)
                    for name, values in zip(("seen_since", "seen_until", "fetched_since", "fetched_until", "crawl_dated_until"), columns[1:])
                }}
            ))
            in_reach, range_params = [], {}
            for name, k, column in (("seen", 0, "t.seen_at"), ("fetched", 2, "t.fetched_at")):
                merged = merge_intervals([(r[k], r[k + 1]) for r in reach.values() if r[k] is not None and r[k + 1] is not None])
                con.register(f"{name}_intervals", pa.table({"lo": pa.array([lo for lo, _ in merged], time), "hi": pa.array([hi for _, hi in merged], time)}))
                for n, (lo, hi) in enumerate(coarsened(merged, MAX_TIME_RANGES)):
                    in_reach.append(f"{column} BETWEEN ${name}{n}_lo AND ${name}{n}_hi")
                    range_params |= {f"{name}{n}_lo": lo, f"{name}{n}_hi": hi}
            statement = sql_file("queries/story_candidates.sql").replace("{story_terms_in_reach}", " OR ".join(in_reach) or "false")
            pool, pool_terms = _pool_rows(con.sql(
                statement, params={"per_article": per_article, "min_shared": min_shared_terms, "kinds": list(entity_kinds), **range_params},
            ).to_arrow_table(), name_key)
            # Only rows stored without term counts (before migration 014) need their text,
            # read apart (story_candidates.sql says why).
            legacy = sorted(pool[i][3] for i in pool_terms.missing)
            pool_texts = dict(con.execute(sql_file("queries/candidate_texts.sql"), {"rows": legacy}).fetchall()) if legacy else {}
    by_hash: dict[str, tuple[str, str]] = {}
    for h, doc_id, group in exact:
        by_hash.setdefault(h, (doc_id, group))
    copy_candidates: dict[str, Neighbour] = {}
    candidate_keys: dict[tuple[int, int], set[str]] = {}
    for bands, keys, doc_id, group, story, lang, seen, first, last, until, fetched_first, fetched_last, row_id, _, _ in candidates:
        copy_candidates[doc_id] = Neighbour(doc_id, group, story, texts.get(row_id), lang, seen, story_first=first, story_last=last, story_undated_until=until,
                                            story_fetched_first=fetched_first, story_fetched_last=fetched_last)
        for band_key in zip(bands, keys):
            candidate_keys.setdefault(band_key, set()).add(doc_id)
    story_pool = [
        Neighbour(d, g, s, pool_texts.get(row), lang, seen, names, first, last, until, fetched_first, fetched_last)
        for d, g, s, row, lang, seen, names, first, last, until, fetched_first, fetched_last in pool
    ]
    return StoredNeighbours(by_hash, copy_candidates, candidate_keys, story_pool, pool_terms)


def reset_dedup(db_path: str | Path, timeout_s: float = 120.0) -> int:
    """Forget every copy and story decision (sql/queries/reset_dedup.sql), in one transaction,
    before `newsetl restory` recomputes them. Returns the number of content articles to redo."""
    with connect(db_path, timeout_s=timeout_s) as con:
        con.begin()
        con.execute(sql_file("queries/reset_dedup.sql"))
        con.commit()
        [(n,)] = con.execute("SELECT count(*) FROM articles").fetchall()
    return n


def dedup_order(db_path: str | Path, timeout_s: float = 120.0) -> list[str]:
    """Return every stored doc_id in time order (published, else fetched; then doc_id): the
    order in which `newsetl restory` feeds them to dedup."""
    with connect(db_path, read_only=True, timeout_s=timeout_s) as con:
        rows = con.execute("SELECT doc_id FROM articles ORDER BY coalesce(published_at, fetched_at), doc_id").fetchall()
    return [doc_id for (doc_id,) in rows]


def write_dedup(db_path: str | Path, run_id: str, result: DedupResult, timeout_s: float = 120.0) -> int:
    """Store the dedup decisions of already stored articles (sql/queries/write_dedup.sql), in
    one transaction; the rest of their rows is left as it is. Returns the number of articles."""
    if not result.articles:
        return 0
    dedup_schema = pa.schema([("doc_id", pa.string()), ("text_hash", pa.string()), ("dup_group", pa.string()), ("dup_method", pa.string()),
                              ("dup_score", pa.float64()), ("story_id", pa.string()), ("story_score", pa.float64()), ("versions", pa.string()),
                              ("term_counts", _TERM_COUNTS), ("copy_sketch", pa.binary()), ("n_shingles", pa.int32())])
    tables = {
        "batch_dedup": _table([
            {"doc_id": a.doc_id, "text_hash": a.text_hash, "dup_group": a.dup_group, "dup_method": a.dup_method, "dup_score": a.dup_score,
             "story_id": a.story_id, "story_score": a.story_score, "versions": json.dumps(a.versions, sort_keys=True),
             **_vectors(a.doc_id, result.term_counts, result.sketches)}
            for a in result.articles
        ], dedup_schema),
        "batch_duplicates": _table([{**asdict(d), "run_id": run_id} for d in result.decisions], _SCHEMAS["batch_duplicates"]),
        "batch_minhash_bands": _table([{"doc_id": d, "band": b, "key": k} for d, b, k in result.band_rows], _SCHEMAS["batch_minhash_bands"]),
        "batch_story_terms": _table([{"doc_id": d, "term": t, "weight": w} for d, t, w in result.story_term_rows], _SCHEMAS["batch_story_terms"]),
        "batch_doc_terms": _table([{"doc_id": d, "term": t} for d, t in result.doc_terms], _SCHEMAS["batch_doc_terms"]),
    }
    _write_in_one_transaction(db_path, tables, "queries/write_dedup.sql", timeout_s)
    return len(result.articles)


def _vectors(doc_id: str, term_counts: dict[str, dict[str, int]] | None, sketches: dict[str, tuple[bytes, int]] | None) -> dict:
    """Return an article's dedup columns (migration 014) from a DedupResult's term_counts and sketches."""
    counts = (term_counts or {}).get(doc_id)
    sketch, n_shingles = (sketches or {}).get(doc_id, (None, None))
    return {"term_counts": None if counts is None else sorted(counts.items()), "copy_sketch": sketch, "n_shingles": n_shingles}


NOTES_SEPARATOR = "; "  # between an article's notes in articles.notes (sql/README.md)

def _article_row(a: Article, run_id: str, stored_at: datetime, vectors: dict | None = None) -> dict:
    return {
        "doc_id": a.doc_id, "source_uri": a.source_uri, "source": a.source, "url": a.url, "title": a.title,
        "byline": a.byline, "attribution": a.attribution, "published_at": a.published_at,
        "published_from": a.published_from, "fetched_at": a.fetched_at,
        "source_from": a.source_from, "site_name": a.site_name, "published_precision": a.published_precision,
        "authors": list(a.authors),
        "input_format": a.input_format, "language": a.language, "language_score": a.language_score,
        "raw_text": a.raw_text, "clean_text": a.clean_text, "content_hash": a.content_hash, "text_hash": a.text_hash,
        "is_article": a.is_article, "not_article_reason": a.not_article_reason,
        "n_removed_lines": len(a.removed_lines), "n_entities": len(a.entities), "ner_model": a.ner_model,
        "dup_group": a.dup_group, "dup_method": a.dup_method, "dup_score": a.dup_score,
        "story_id": a.story_id, "story_score": a.story_score, "versions": json.dumps(a.versions, sort_keys=True),
        "notes": NOTES_SEPARATOR.join(a.notes) or None, "run_id": run_id, "stored_at": stored_at,
        **(vectors or {"term_counts": None, "copy_sketch": None, "n_shingles": None}),
    }


def _table(rows: list[dict], schema: pa.Schema) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=schema)


# articles.term_counts (migration 014): a content article's story-term counts.
_TERM_COUNTS = pa.map_(pa.string(), pa.int32())
_SCHEMAS = {
    "batch_removed_lines": pa.schema([("doc_id", pa.string()), ("line_no", pa.int32()), ("text", pa.string()), ("reason", pa.string()), ("run_id", pa.string())]),
    "batch_entities": pa.schema([("doc_id", pa.string()), ("text", pa.string()), ("label", pa.string()), ("start_char", pa.int32()), ("end_char", pa.int32()), ("canonical", pa.string()), ("kind", pa.string()), ("entity_id", pa.string()), ("model", pa.string()), ("run_id", pa.string())]),
    "batch_duplicates": pa.schema([("member", pa.string()), ("canonical", pa.string()), ("level", pa.string()), ("method", pa.string()), ("score", pa.float64()), ("run_id", pa.string())]),
    "batch_minhash_bands": pa.schema([("doc_id", pa.string()), ("band", pa.int16()), ("key", pa.int64())]),
    "batch_page_lines": pa.schema([("doc_id", pa.string()), ("source", pa.string()), ("key", pa.string())]),
    "batch_story_terms": pa.schema([("doc_id", pa.string()), ("term", pa.string()), ("weight", pa.float64())]),
    "batch_doc_terms": pa.schema([("doc_id", pa.string()), ("term", pa.string())]),
    "batch_quarantine": pa.schema([("source_uri", pa.string()), ("stage", pa.string()), ("error", pa.string()), ("detail", pa.string()), ("doc_id", pa.string()), ("content_hash", pa.string()), ("seen_at", pa.timestamp("us", tz="UTC")), ("run_id", pa.string())]),
}
_ARTICLE_SCHEMA = pa.schema([
    ("doc_id", pa.string()), ("source_uri", pa.string()), ("source", pa.string()), ("url", pa.string()), ("title", pa.string()),
    ("byline", pa.string()), ("attribution", pa.string()), ("published_at", pa.timestamp("us", tz="UTC")),
    ("published_from", pa.string()),
    ("source_from", pa.string()), ("site_name", pa.string()), ("published_precision", pa.string()),
    ("authors", pa.list_(pa.string())),
    ("fetched_at", pa.timestamp("us", tz="UTC")), ("input_format", pa.string()), ("language", pa.string()),
    ("language_score", pa.float64()), ("raw_text", pa.large_string()), ("clean_text", pa.large_string()),
    ("content_hash", pa.string()), ("text_hash", pa.string()), ("is_article", pa.bool_()), ("not_article_reason", pa.string()),
    ("n_removed_lines", pa.int32()), ("n_entities", pa.int32()), ("ner_model", pa.string()), ("dup_group", pa.string()),
    ("dup_method", pa.string()), ("dup_score", pa.float64()), ("story_id", pa.string()), ("story_score", pa.float64()),
    ("versions", pa.string()), ("notes", pa.string()), ("run_id", pa.string()), ("stored_at", pa.timestamp("us", tz="UTC")),
    ("term_counts", _TERM_COUNTS), ("copy_sketch", pa.binary()), ("n_shingles", pa.int32()),
])


def write_batch(
    db_path: str | Path,
    run_id: str,
    articles: list[Article],
    decisions: list[Decision],
    band_rows: list[tuple[str, int, int]],
    timeout_s: float = 120.0,
    story_term_rows: list[tuple[str, str, float]] = (),
    doc_terms: list[tuple[str, str]] = (),
    term_counts: dict[str, dict[str, int]] | None = None,
    sketches: dict[str, tuple[bytes, int]] | None = None,
) -> int:
    """Store a batch of finished articles with their removed lines, entities, dedup decisions,
    LSH keys, story-index terms, story-term counts and copy sketches (`story_term_rows`,
    `doc_terms`, `term_counts`, `sketches` from `DedupResult`).

    Rows of the same doc_ids are replaced, so writing a batch twice stores it once.
    Everything is one transaction. Returns the number of articles written.
    """
    if not articles:
        return 0
    now = datetime.now(timezone.utc)
    tables = {
        "batch_articles": _table([_article_row(a, run_id, now, _vectors(a.doc_id, term_counts, sketches)) for a in articles], _ARTICLE_SCHEMA),
        "batch_removed_lines": _table(
            [{"doc_id": a.doc_id, "line_no": r.line_no, "text": r.text, "reason": r.reason, "run_id": run_id} for a in articles for r in a.removed_lines],
            _SCHEMAS["batch_removed_lines"],
        ),
        "batch_entities": _table(
            [{**asdict(e), "doc_id": a.doc_id, "model": a.ner_model, "run_id": run_id} for a in articles for e in a.entities],
            _SCHEMAS["batch_entities"],
        ),
        "batch_duplicates": _table([{**asdict(d), "run_id": run_id} for d in decisions], _SCHEMAS["batch_duplicates"]),
        "batch_minhash_bands": _table(
            [{"doc_id": d, "band": b, "key": k} for d, b, k in band_rows], _SCHEMAS["batch_minhash_bands"]
        ),
        "batch_story_terms": _table(
            [{"doc_id": d, "term": t, "weight": w} for d, t, w in story_term_rows], _SCHEMAS["batch_story_terms"]
        ),
        "batch_doc_terms": _table([{"doc_id": d, "term": t} for d, t in doc_terms], _SCHEMAS["batch_doc_terms"]),
        "batch_page_lines": _table(
            [{"doc_id": a.doc_id, "source": a.source, "key": k} for a in articles for k in sorted(a.line_keys)],
            _SCHEMAS["batch_page_lines"],
        ),
    }
    _write_in_one_transaction(db_path, tables, "queries/write_batch.sql", timeout_s)
    return len(articles)


def _write_in_one_transaction(db_path: str | Path, tables: dict[str, pa.Table], statement_file: str, timeout_s: float) -> None:
    """Register `tables` (name -> Arrow table) and run the sql/ file `statement_file` over them
    in one transaction: all of it is stored, or nothing."""
    with connect(db_path, timeout_s=timeout_s) as con:
        for name, table in tables.items():
            con.register(name, table)
        con.begin()
        try:
            con.execute(sql_file(statement_file))
            con.commit()
        except Exception:
            _rollback_quietly(con)
            raise


def _rollback_quietly(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back after a failed statement; a failed commit (disk full) has no transaction left
    to roll back, and that second error must not hide the first."""
    try:
        con.rollback()
    except duckdb.Error:
        pass


def write_quarantine(db_path: str | Path, run_id: str, items: list[Quarantined], timeout_s: float = 120.0) -> int:
    """Record quarantined inputs (one row per input, updated when it fails again). Returns how many."""
    if not items:
        return 0
    now = datetime.now(timezone.utc)
    rows = [{**asdict(q), "seen_at": now, "run_id": run_id} for q in items]
    tables = {"batch_quarantine": _table(rows, _SCHEMAS["batch_quarantine"])}
    _write_in_one_transaction(db_path, tables, "queries/write_quarantine.sql", timeout_s)
    return len(items)


def pending_runs_path(db_path: str | Path) -> Path:
    """The side file holding `runs` rows that could not be written (database locked or full)."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".pending-runs.jsonl")


def write_run(db_path: str | Path, row: dict, timeout_s: float = 120.0) -> bool:
    """Insert or replace the `runs` row of a flow run (written RUNNING when it starts, and
    replaced when it ends; see flows/crashed_runs.py).

    When the database cannot be written (another process holds it past `timeout_s`, the
    disk is full), the row is appended to `pending_runs_path(db_path)` instead and stored
    by the next run that opens the database. Returns True when the row is in the database.
    """
    row = {**row, "versions": json.dumps(row.get("versions", {}), sort_keys=True)}
    try:
        with connect(db_path, timeout_s=timeout_s) as con:
            _insert_run(con, row)
        return True
    except (StorageError, duckdb.CatalogException, duckdb.BinderException) as exc:  # no runs table or columns yet (migration never ran)
        line = json.dumps(row, default=str, ensure_ascii=False)
        with pending_runs_path(db_path).open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")
        log.warning("runs row of %s kept in %s until the database can be written: %s", row.get("run_id"), pending_runs_path(db_path), exc)
        return False


def _insert_run(con: duckdb.DuckDBPyConnection, row: dict) -> None:
    columns = list(row)
    con.execute(
        f"INSERT OR REPLACE INTO runs ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
        [row[c] for c in columns],
    )


def _flush_pending_runs(con: duckdb.DuckDBPyConnection, db_path: str | Path) -> None:
    """Store the `runs` rows earlier runs could not write, then remove the side file.
    A row already stored (the run wrote it later after all) is kept as stored."""
    path = pending_runs_path(db_path)
    if not path.exists():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError:  # a line cut short by a kill: nothing to recover
            continue
        # A RUNNING row is the run's start-up mark (flows/crashed_runs.py): its end row wins.
        if not con.execute("SELECT 1 FROM runs WHERE run_id = ? AND status <> 'RUNNING'", [row["run_id"]]).fetchall():
            _insert_run(con, row)
    path.unlink()


def running_runs(db_path: str | Path, timeout_s: float = 120.0) -> list[dict]:
    """Return the `runs` rows still RUNNING (run_id, started_at, host, pid, process_started):
    runs going on now, or killed before they could write their end (flows/crashed_runs.py)."""
    with connect(db_path, read_only=True, timeout_s=timeout_s) as con:
        cursor = con.execute("SELECT run_id, started_at, host, pid, process_started FROM runs WHERE status = 'RUNNING'")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]


def mark_run_crashed(db_path: str | Path, run_id: str, reason: str, timeout_s: float = 120.0) -> bool:
    """Write a RUNNING `runs` row as CRASHED with `reason` (finished_at: now); True when a
    row changed (False when its run ended meanwhile and wrote its own status)."""
    with connect(db_path, timeout_s=timeout_s) as con:
        changed = con.execute(
            "UPDATE runs SET status = 'CRASHED', error = ?, finished_at = now() WHERE run_id = ? AND status = 'RUNNING' RETURNING run_id",
            [reason, run_id],
        ).fetchall()
    return bool(changed)


def run_summary(db_path: str | Path, run_id: str, timeout_s: float = 120.0) -> list[tuple[str, str, int]]:
    """Return the run summary rows (section, name, count) for the articles of `run_id`."""
    with connect(db_path, read_only=True, timeout_s=timeout_s) as con:
        return con.execute(sql_file("queries/run_summary.sql"), {"run_id": run_id}).fetchall()


def quarantined_inputs(
    db_path: str | Path, run_id: str, timeout_s: float = 120.0, limit: int = 50
) -> list[tuple[str, str, str]]:
    """Return (input, stage, error) for up to `limit` inputs quarantined by run `run_id`."""
    with connect(db_path, read_only=True, timeout_s=timeout_s) as con:
        return con.execute(
            "SELECT source_uri, stage, error FROM quarantine WHERE run_id = $run_id ORDER BY source_uri, stage LIMIT $limit",
            {"run_id": run_id, "limit": limit},
        ).fetchall()


def reprocess_candidates(
    db_path: str | Path, where: str | None = None, timeout_s: float = 120.0
) -> list[tuple[str, str, bool, dict]]:
    """Return (doc_id, language, has clean text, versions) of the stored articles matching the
    SQL condition `where` over `articles` (all without one), in the order they were stored."""
    predicate = f"WHERE ({where})" if where else ""
    statement = (
        "SELECT doc_id, language, coalesce(length(clean_text), 0) > 0, versions"
        f" FROM articles {predicate} ORDER BY stored_at, doc_id"
    )
    with connect(db_path, read_only=True, timeout_s=timeout_s) as con:
        if len(con.extract_statements(statement)) != 1:
            raise ValueError(f"--where must be one SQL condition over articles, not {where!r}")
        rows = con.execute(statement).fetchall()
    return [(doc_id, language, has_text, json.loads(versions) if versions else {}) for doc_id, language, has_text, versions in rows]


_STORED_FIELDS = (
    "doc_id", "source_uri", "source", "raw_text", "content_hash", "input_format", "fetched_at", "url", "title",
    "published_at", "published_from", "source_from", "site_name", "published_precision", "authors",
    "language", "language_score", "clean_text", "byline", "attribution",
    "is_article", "not_article_reason", "ner_model", "text_hash", "dup_group", "dup_method", "dup_score",
    "story_id", "story_score", "versions", "notes",
)


def stored_articles(db_path: str | Path, doc_ids: list[str], timeout_s: float = 120.0) -> list[Article]:
    """Return the stored articles `doc_ids` (in that order) as `Article`s with their removed
    lines, entities (with their entity ids, which dedup keys names by) and page line keys: what
    `newsetl reprocess` and `newsetl restory` recompute stages from."""
    if not doc_ids:
        return []
    with connect(db_path, read_only=True, timeout_s=timeout_s) as con:
        con.register("batch_doc_ids", pa.table({"doc_id": pa.array(doc_ids, pa.string())}))
        rows = con.execute(f"SELECT {', '.join(_STORED_FIELDS)} FROM articles WHERE doc_id IN (SELECT doc_id FROM batch_doc_ids)").fetchall()
        removed = con.execute(
            "SELECT doc_id, line_no, text, reason FROM removed_lines WHERE doc_id IN (SELECT doc_id FROM batch_doc_ids) ORDER BY doc_id, line_no"
        ).fetchall()
        entities = con.execute(
            "SELECT doc_id, text, label, start_char, end_char, canonical, coalesce(kind, 'other'), entity_id FROM entities"
            " WHERE doc_id IN (SELECT doc_id FROM batch_doc_ids) ORDER BY doc_id, start_char, end_char"
        ).fetchall()
        keys = con.execute("SELECT doc_id, key FROM page_lines WHERE doc_id IN (SELECT doc_id FROM batch_doc_ids)").fetchall()
    lines_of: dict[str, list[RemovedLine]] = {}
    for doc_id, line_no, text, reason in removed:
        lines_of.setdefault(doc_id, []).append(RemovedLine(line_no, text, reason))
    entities_of: dict[str, list[Entity]] = {}
    for doc_id, *fields in entities:
        entities_of.setdefault(doc_id, []).append(Entity(*fields))
    keys_of: dict[str, set[str]] = {}
    for doc_id, key in keys:
        keys_of.setdefault(doc_id, set()).add(key)
    by_id = {}
    for row in rows:
        fields = dict(zip(_STORED_FIELDS, row))
        fields["versions"] = json.loads(fields["versions"]) if fields["versions"] else {}
        fields["authors"] = tuple(fields["authors"] or ())
        fields["notes"] = tuple(fields["notes"].split(NOTES_SEPARATOR)) if fields["notes"] else ()
        doc_id = fields["doc_id"]
        by_id[doc_id] = Article(
            **fields, removed_lines=tuple(lines_of.get(doc_id, ())), entities=tuple(entities_of.get(doc_id, ())),
            line_keys=frozenset(keys_of.get(doc_id, ())),
        )
    return [by_id[d] for d in doc_ids if d in by_id]


def quarantined_to_retry(
    db_path: str | Path, uris: list[str], version: str, retry_all: bool = False, timeout_s: float = 120.0
) -> list[str]:
    """Return which of the inputs `uris` have open quarantine rows to retry: quarantined by
    another pipeline version than `version` (and not yet retried by it), or any when `retry_all`."""
    if not uris:
        return []
    with connect(db_path, read_only=True, timeout_s=timeout_s) as con:
        con.register("run_uris", pa.table({"uri": pa.array(sorted(set(uris)), pa.string())}))
        rows = con.execute(sql_file("queries/quarantine_to_retry.sql"), {"version": version, "retry_all": retry_all}).fetchall()
    return [uri for (uri,) in rows]


def close_quarantine(db_path: str | Path, run_id: str, version: str, retried: list[str], timeout_s: float = 120.0) -> None:
    """End of a completed run: stamp its quarantine rows with `version` and mark the rows of
    the `retried` inputs it did not quarantine again as retried (one transaction)."""
    with connect(db_path, timeout_s=timeout_s) as con:
        con.register("run_uris", pa.table({"uri": pa.array(sorted(set(retried)), pa.string())}))
        con.begin()
        params = {"version": version, "run_id": run_id, "now": datetime.now(timezone.utc)}
        # DuckDB binds parameters to one statement at a time: run the file's statements one by one.
        for statement in con.extract_statements(sql_file("queries/close_quarantine.sql")):
            con.execute(statement.query, {name: params[name] for name in statement.named_parameters})
        con.commit()


def query(db_path: str | Path, statement: str, timeout_s: float = 120.0) -> tuple[list[str], list[tuple]]:
    """Run one read-only statement and return (column names, rows)."""
    with connect(db_path, read_only=True, timeout_s=timeout_s) as con:
        result = con.execute(statement)
        columns = [d[0] for d in result.description] if result.description else []
        return columns, result.fetchall()


def show_query(db_path: str | Path, statement: str, max_width: int | None = None, timeout_s: float = 120.0) -> None:
    """Run one read-only statement and print it with DuckDB's own table renderer."""
    with connect(db_path, read_only=True, timeout_s=timeout_s) as con:
        con.sql(statement).show(max_width=max_width, max_rows=1000)


def export_parquet(db_path: str | Path, target: str | Path, timeout_s: float = 120.0) -> list[Path]:
    """Write every table and view of the database as `<name>.parquet` into the folder
    `target`, from one read-only snapshot; return the files written.

    Files are written into a sibling temporary folder that then replaces `target`, so a
    BI tool reading `target` sees the previous snapshot or the new one, never a mix.
    """
    target = Path(target)
    staging = target.with_name(f".{target.name}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    with connect(db_path, read_only=True, timeout_s=timeout_s) as con:
        names = [name for (name,) in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY table_name"
        ).fetchall()]
        for name in names:
            path = str(staging / f"{name}.parquet").replace("'", "''")
            con.execute(f"COPY (SELECT * FROM \"{name}\") TO '{path}' (FORMAT parquet, COMPRESSION zstd)")
    previous = target.with_name(f".{target.name}.previous")
    shutil.rmtree(previous, ignore_errors=True)
    if target.exists():
        target.rename(previous)
    staging.rename(target)
    shutil.rmtree(previous, ignore_errors=True)
    return sorted(target.glob("*.parquet"))


_TASKS = ("migrate_task", "write_batch_task", "write_input_states_task", "write_quarantine_task")


def __getattr__(name: str):
    """The Prefect tasks wrapping the writes live in tasks/store_tasks.py, so that this
    module imports without Prefect (~2 s): the idle fast path (flows/idle_run.py) reads
    and writes through it alone. They stay importable from here."""
    if name in _TASKS:
        from newsetl.tasks import store_tasks

        return getattr(store_tasks, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

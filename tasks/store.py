"""The one module that talks to DuckDB.

Every connection is short: opened to read or write one batch and closed right after, so
analysts can open the file between batches (a DuckDB file open read-write in one process
cannot be opened by any other). When another process holds the file, we retry with
backoff and log why we wait. Batches are written through Arrow in one transaction, so a
reader never sees an article without its entities.
"""

from __future__ import annotations

import json
import logging
import random
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pyarrow as pa
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from newsetl.tasks.records import Article, Decision, DedupResult, InputState, Neighbour, Quarantined, StoredNeighbours
from newsetl.tasks.source_chrome import SourceHistory

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
log = logging.getLogger("newsetl.store")


def sql_file(relative: str) -> str:
    """Return the text of a statement file under sql/."""
    return (SQL_DIR / relative).read_text(encoding="utf-8")


def _is_lock_error(exc: duckdb.Error) -> bool:
    return "lock" in str(exc).lower()


@contextmanager
def connect(db_path: str | Path, read_only: bool = False, timeout_s: float = 120.0) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the database briefly; retry with backoff while another process holds the file."""
    deadline = time.monotonic() + timeout_s
    delay = 0.05
    while True:
        try:
            con = duckdb.connect(str(db_path), read_only=read_only)
            break
        except duckdb.Error as exc:
            if not _is_lock_error(exc) or time.monotonic() >= deadline:
                raise
            log.warning("database %s is held by another process; retrying in %.1fs (%s)", db_path, delay, exc)
            time.sleep(delay + random.uniform(0, delay / 2))
            delay = min(delay * 2, 2.0)
    try:
        yield con
    finally:
        con.close()


def migrate(db_path: str | Path, timeout_s: float = 120.0) -> list[str]:
    """Create or upgrade the schema (sql/schema/NNN_*.sql, each applied once) and re-create the views.

    Returns the names of the migrations applied now.
    """
    Path(db_path).parent.mkdir(parents=True, exist_ok=True)
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
        [(n_docs,)] = con.execute("SELECT count(*) FROM articles WHERE is_article").fetchall()
    return dict(df), n_docs


def dedup_neighbours(
    db_path: str | Path,
    doc_ids: list[str],
    text_hashes: list[str],
    band_keys: list[tuple[int, int]],
    seen_range: tuple[datetime, datetime] | None,
    window_days: int,
    story_terms: dict[str, list[str]] | None = None,
    per_article: int = 10,
    min_shared_terms: int = 2,
    timeout_s: float = 120.0,
) -> StoredNeighbours:
    """Fetch from storage what dedup needs for a batch: exact-hash matches, LSH candidates, and
    the stored articles of the time window that share most of each batch article's top
    terms (`story_terms`: doc_id -> terms), `per_article` of them per batch article."""
    ids = pa.table({"doc_id": pa.array(doc_ids, pa.string())})
    keys = pa.table({"band": pa.array([b for b, _ in band_keys], pa.int16()), "key": pa.array([k for _, k in band_keys], pa.int64())})
    with connect(db_path, read_only=True, timeout_s=timeout_s) as con:
        con.register("batch_doc_ids", ids)
        con.register("batch_keys", keys)
        exact = con.execute(sql_file("queries/exact_copies.sql"), {"hashes": text_hashes}).fetchall()
        candidates = con.execute(sql_file("queries/copy_candidates.sql")).fetchall()
        pool = []
        if seen_range is not None and story_terms:
            pairs = [(d, t) for d, terms in sorted(story_terms.items()) for t in terms]
            con.register("batch_terms", pa.table({"doc_id": pa.array([d for d, _ in pairs], pa.string()), "term": pa.array([t for _, t in pairs], pa.string())}))
            since = seen_range[0] - timedelta(days=window_days)
            until = seen_range[1] + timedelta(days=window_days)
            pool = con.execute(
                sql_file("queries/story_candidates.sql"),
                {"since": since, "until": until, "per_article": per_article, "min_shared": min_shared_terms},
            ).fetchall()
    by_hash: dict[str, tuple[str, str]] = {}
    for h, doc_id, group in exact:
        by_hash.setdefault(h, (doc_id, group))
    copy_candidates: dict[str, Neighbour] = {}
    candidate_keys: dict[tuple[int, int], set[str]] = {}
    for band, key, doc_id, group, story, text, lang, seen in candidates:
        copy_candidates[doc_id] = Neighbour(doc_id, group, story, text, lang, seen)
        candidate_keys.setdefault((band, key), set()).add(doc_id)
    story_pool = [Neighbour(d, g, s, t, lang, seen) for d, g, s, t, lang, seen in pool]
    return StoredNeighbours(by_hash, copy_candidates, candidate_keys, story_pool)


def _article_row(a: Article, run_id: str, stored_at: datetime) -> dict:
    return {
        "doc_id": a.doc_id, "source_uri": a.source_uri, "source": a.source, "url": a.url, "title": a.title,
        "byline": a.byline, "attribution": a.attribution, "published_at": a.published_at,
        "published_from": a.published_from, "fetched_at": a.fetched_at,
        "input_format": a.input_format, "language": a.language, "language_score": a.language_score,
        "raw_text": a.raw_text, "clean_text": a.clean_text, "content_hash": a.content_hash, "text_hash": a.text_hash,
        "is_article": a.is_article, "not_article_reason": a.not_article_reason,
        "n_removed_lines": len(a.removed_lines), "n_entities": len(a.entities), "ner_model": a.ner_model,
        "dup_group": a.dup_group, "dup_method": a.dup_method, "dup_score": a.dup_score,
        "story_id": a.story_id, "story_score": a.story_score, "versions": json.dumps(a.versions, sort_keys=True),
        "run_id": run_id, "stored_at": stored_at,
    }


def _table(rows: list[dict], schema: pa.Schema) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=schema)


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
    ("fetched_at", pa.timestamp("us", tz="UTC")), ("input_format", pa.string()), ("language", pa.string()),
    ("language_score", pa.float64()), ("raw_text", pa.large_string()), ("clean_text", pa.large_string()),
    ("content_hash", pa.string()), ("text_hash", pa.string()), ("is_article", pa.bool_()), ("not_article_reason", pa.string()),
    ("n_removed_lines", pa.int32()), ("n_entities", pa.int32()), ("ner_model", pa.string()), ("dup_group", pa.string()),
    ("dup_method", pa.string()), ("dup_score", pa.float64()), ("story_id", pa.string()), ("story_score", pa.float64()),
    ("versions", pa.string()), ("run_id", pa.string()), ("stored_at", pa.timestamp("us", tz="UTC")),
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
) -> int:
    """Store a batch of finished articles with their removed lines, entities, dedup decisions,
    LSH keys and story-index terms (`story_term_rows`, `doc_terms` from `DedupResult`).

    Rows of the same doc_ids are replaced, so writing a batch twice stores it once.
    Everything is one transaction. Returns the number of articles written.
    """
    if not articles:
        return 0
    now = datetime.now(timezone.utc)
    tables = {
        "batch_articles": _table([_article_row(a, run_id, now) for a in articles], _ARTICLE_SCHEMA),
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
    with connect(db_path, timeout_s=timeout_s) as con:
        for name, table in tables.items():
            con.register(name, table)
        con.begin()
        try:
            con.execute(sql_file("queries/write_batch.sql"))
            con.commit()
        except Exception:
            con.rollback()
            raise
    return len(articles)


def write_quarantine(db_path: str | Path, run_id: str, items: list[Quarantined], timeout_s: float = 120.0) -> int:
    """Record quarantined inputs (one row per input, updated when it fails again). Returns how many."""
    if not items:
        return 0
    now = datetime.now(timezone.utc)
    rows = [{**asdict(q), "seen_at": now, "run_id": run_id} for q in items]
    with connect(db_path, timeout_s=timeout_s) as con:
        con.register("batch_quarantine", _table(rows, _SCHEMAS["batch_quarantine"]))
        con.begin()
        con.execute(sql_file("queries/write_quarantine.sql"))
        con.commit()
    return len(items)


def write_run(db_path: str | Path, row: dict, timeout_s: float = 120.0) -> None:
    """Insert or replace the `runs` row of a flow run (written last, when the run ends)."""
    row = {**row, "versions": json.dumps(row.get("versions", {}), sort_keys=True)}
    columns = list(row)
    with connect(db_path, timeout_s=timeout_s) as con:
        con.execute(
            f"INSERT OR REPLACE INTO runs ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
            [row[c] for c in columns],
        )


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


# Prefect tasks: the database is the one I/O edge that can be busy (an analyst holding
# the file), so every write retries on top of connect()'s own backoff.
_IO_TASK = {"cache_policy": NO_CACHE, "persist_result": False, "retries": 3, "retry_delay_seconds": [2, 10, 30], "timeout_seconds": 600}


@task(name="prepare-database", **_IO_TASK)
def migrate_task(db_path: str, lock_timeout_s: float = 120.0) -> list[str]:
    """Prefect task: `migrate`, logging the migrations applied."""
    applied = migrate(db_path, lock_timeout_s)
    get_run_logger().info("database %s ready; migrations applied now: %s", db_path, applied or "none")
    return applied


@task(name="write-batch", **_IO_TASK)
def write_batch_task(db_path: str, run_id: str, result: DedupResult, lock_timeout_s: float = 120.0) -> int:
    """Prefect task: `write_batch` of a deduplicated batch, in one transaction."""
    started = time.monotonic()
    written = write_batch(
        db_path, run_id, result.articles, result.decisions, result.band_rows, lock_timeout_s,
        result.story_term_rows, result.doc_terms,
    )
    get_run_logger().info("stored %d articles in %.2fs", written, time.monotonic() - started)
    return written


@task(name="remember-inputs", **_IO_TASK)
def write_input_states_task(db_path: str, states: list[InputState], lock_timeout_s: float = 120.0) -> None:
    """Prefect task: `write_input_states`, after the articles of the batch are stored."""
    write_input_states(db_path, states, lock_timeout_s)


@task(name="quarantine", **_IO_TASK)
def write_quarantine_task(db_path: str, run_id: str, items: list[Quarantined], lock_timeout_s: float = 120.0) -> int:
    """Prefect task: `write_quarantine`, logging each quarantined input and why."""
    logger = get_run_logger()
    for item in items:
        logger.warning("quarantined %s at %s: %s", item.source_uri, item.stage, item.error)
    return write_quarantine(db_path, run_id, items, lock_timeout_s)

"""The one settings object passed explicitly to the flow and to the stages that need it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_DB = "newsetl.duckdb"


@dataclass(frozen=True)
class Settings:
    """Everything a run can be tuned by. Defaults are what the README documents."""

    db_path: Path = Path(DEFAULT_DB)
    # Articles per Prefect task call. A task run costs ~5 ms of orchestration and ~20 KB
    # of Prefect history, an article microseconds to clean: batches of hundreds.
    batch_size: int = 200
    # JSONL files are split into byte ranges of about this size so that one huge file
    # still streams through in bounded memory.
    jsonl_chunk_bytes: int = 2 * 1024 * 1024
    # Files bigger than this are quarantined instead of read into memory.
    max_file_bytes: int = 50 * 1024 * 1024
    # spaCy nlp.pipe batch size: 8-32 suits article-length texts.
    ner_batch_size: int = 16
    # Stories are matched against stored articles fetched/published within this window.
    story_window_days: int = 14
    # Process every input again, even when it is unchanged since it was stored (and fetch
    # URLs without conditional GET).
    full_refresh: bool = False
    # Per-request timeout for feeds and article pages.
    http_timeout_s: float = 20.0
    # All the tries of one URL (feed entry or page) end within this: a slow entry costs
    # at most this much, never the feed. 3 tries of a 20 s timeout plus backoff fit.
    http_entry_deadline_s: float = 75.0
    # Let links and redirects from fetched content reach loopback/private/link-local
    # addresses (see tasks/netpolicy.py); URLs the user wrote are always allowed.
    allow_private_addresses: bool = False
    # How long the writer keeps retrying when another process holds the database file.
    db_lock_timeout_s: float = 120.0

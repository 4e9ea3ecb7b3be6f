"""The record types that flow through every stage.

One `Article` travels from ingest to the writer; each stage returns copies of it with its
own fields filled in (`dataclasses.replace`), never a parallel structure. Its fields map
one-to-one onto the columns of the `articles` table (see sql/README.md); the list fields
become the `removed_lines` and `entities` tables.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pyarrow and scipy only where dedup runs
    from newsetl.tasks.term_vectors import TermRows


@dataclass(frozen=True)
class RemovedLine:
    """A line cleanup dropped, with the reason code (see tasks/cleanup/reasons.py REASONS)."""

    line_no: int  # 1-based line number in the text the line classifier saw
    text: str
    reason: str


@dataclass(frozen=True)
class Entity:
    """A named-entity mention; offsets index into `Article.clean_text`."""

    text: str
    label: str
    start_char: int
    end_char: int
    canonical: str
    kind: str = "other"  # analyst-facing vocabulary, see tasks/entity_kinds.py
    entity_id: str | None = None  # one identity across articles and languages, see tasks/entity_ids.py


@dataclass(frozen=True)
class Quarantined:
    """An input (or a record at some stage) that could not be processed, and why."""

    source_uri: str
    stage: str
    error: str
    detail: str = ""
    doc_id: str | None = None
    content_hash: str | None = None


@dataclass(frozen=True)
class Article:
    """One news article as it moves through the pipeline."""

    doc_id: str
    source_uri: str
    source: str
    raw_text: str
    content_hash: str
    input_format: str  # "text" or "html"
    fetched_at: datetime
    url: str | None = None
    title: str | None = None
    published_at: datetime | None = None
    published_from: str | None = None  # "input", "feed", "structured_data", "html_metadata", "url" or "dateline"; None when unknown
    # metadata (tasks/metadata): see sql/README.md for the vocabularies
    source_from: str | None = None  # "input", "sources_file", "url", "feed" or "folder"; None from fetch/WARC until the metadata stage
    site_name: str | None = None
    published_precision: str | None = None  # "day", "month" or "year"; None when published_at is
    authors: tuple[str, ...] = ()  # people only
    credits: tuple[str, ...] = ()  # agencies, desks, the site named as author: fill `attribution`, not stored
    # language detection
    language: str | None = None
    language_score: float | None = None
    # cleanup
    clean_text: str | None = None
    removed_lines: tuple[RemovedLine, ...] = ()
    byline: str | None = None
    attribution: str | None = None
    is_article: bool = True
    not_article_reason: str | None = None
    line_keys: frozenset[str] = frozenset()  # keys of the page's short lines -> page_lines table
    # entity extraction
    entities: tuple[Entity, ...] = ()
    ner_model: str | None = None
    # dedup
    text_hash: str | None = None
    dup_group: str | None = None
    dup_method: str | None = None
    dup_score: float | None = None
    story_id: str | None = None
    story_score: float | None = None
    versions: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()  # what ingest changed or dropped (e.g. an impossible date), or a stage read only in part


@dataclass(frozen=True)
class InputState:
    """What was seen at an input before: file size and mtime, or URL validators; content hash."""

    uri: str
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None
    size: int | None = None
    mtime_ns: int | None = None


@dataclass(frozen=True)
class Neighbour:
    """A stored article that may be a copy of, or share a story with, a batch article."""

    doc_id: str
    dup_group: str
    story_id: str
    clean_text: str
    language: str | None
    seen_at: datetime
    # Story clustering: the article's entity name keys (tasks/dedup.py name_key), the first
    # and last publication date of its story's dated members (the story's time span), the
    # earliest fetch time of its undated members (they were published by then), and the
    # first and last fetch time of all its members (which undated articles can reach it:
    # tasks/dedup.py reachable).
    name_keys: tuple[str, ...] = ()
    story_first: datetime | None = None
    story_last: datetime | None = None
    story_undated_until: datetime | None = None
    story_fetched_first: datetime | None = None
    story_fetched_last: datetime | None = None


@dataclass(frozen=True)
class StoredNeighbours:
    """What the store found for a batch: exact-hash matches, LSH candidates, the story window."""

    by_text_hash: dict[str, tuple[str, str]] = field(default_factory=dict)  # hash -> (doc_id, dup_group)
    copy_candidates: dict[str, Neighbour] = field(default_factory=dict)  # doc_id -> neighbour
    candidate_keys: dict[tuple[int, int], set[str]] = field(default_factory=dict)  # (band, key) -> doc_ids
    story_pool: list[Neighbour] = field(default_factory=list)
    # The story pool's stored term counts (articles.term_counts), row k for story_pool[k]
    # (tasks/term_vectors.py), when the store read them; None: dedup counts each pool
    # article's clean_text (a pool built by hand).
    pool_terms: TermRows | None = None
    term_df: dict[str, int] = field(default_factory=dict)  # stored articles containing each term
    corpus_docs: int = 0  # stored content articles: the N of the corpus IDF


@dataclass(frozen=True)
class Decision:
    """One grouping decision, a row of the `duplicates` table."""

    member: str
    canonical: str
    level: str  # "copy" or "story"
    method: str
    score: float


@dataclass(frozen=True)
class DedupResult:
    """What dedup makes of a batch: the articles with groups set, and the rows it adds to storage."""

    articles: list[Article]
    decisions: list[Decision]
    band_rows: list[tuple[str, int, int]]  # (doc_id, band, key) for the minhash_bands table
    story_term_rows: list[tuple[str, str, float]] = ()  # (doc_id, term, weight) for story_terms
    doc_terms: list[tuple[str, str]] = ()  # (doc_id, term) for each distinct term, counted into term_df
    term_counts: dict[str, dict[str, int]] = field(default_factory=dict)  # doc_id -> story-term counts, for articles.term_counts
    sketches: dict[str, tuple[bytes, int]] = field(default_factory=dict)  # doc_id -> (copy sketch, shingle count), for articles


@dataclass(frozen=True)
class StageOutput:
    """A batch as it leaves a CPU stage: the articles that went through, and every record
    quarantined by this stage or an earlier one (so a chain of tasks carries one value)."""

    articles: list[Article]
    quarantined: list[Quarantined] = ()

    def then(self, articles: list[Article], failed: list[Quarantined]) -> "StageOutput":
        """Return the output of the next stage: its articles, the quarantine so far plus `failed`."""
        return StageOutput(articles, [*self.quarantined, *failed])


def stable_id(*parts: str) -> str:
    """Return a 16-hex-digit id derived from `parts` (same parts, same id, on any machine)."""
    # surrogatepass: a part that is not valid Unicode (a lone surrogate, a non-UTF-8 file
    # name) still gets its own id instead of an error.
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
    return digest[:16]


def content_hash(data: bytes | str) -> str:
    """Return the SHA-256 hex digest of raw content, the key for 'has this changed?'."""
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest()

"""Per-source chrome learning: lines that recur across many pages of the same source.

A site's menus, footers and widget labels repeat on every page it serves, worded in ways
no generic rule knows. Each stored page contributes the keys of its short lines
(`page_line_keys`, table `page_lines`); a line of a new page that appears on at least
SOURCE_MIN_PAGES other pages of its source, and on SOURCE_MIN_SHARE of them, is chrome
of that source. Counts come from the pages stored before and the other pages of the
batch, so a site's chrome is recognised from its third page on.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field

from newsetl.tasks.html_text import html_to_lines
from newsetl.tasks.language import normalise_line, words
from newsetl.tasks.records import Article

# Only lines this short are learnt: chrome lines are short, and a repeated paragraph is
# far more often a syndicated copy (dedup's business) than chrome.
SOURCE_LINE_MAX_WORDS = 15
# A line is source chrome when it is on at least this many other pages of the source...
SOURCE_MIN_PAGES = 2
# ...and on at least this share of them (synthetic sites in tests/tasks/test_source_chrome.py;
# re-check with bench/cleanup.py on a multi-page set when changing it).
SOURCE_MIN_SHARE = 0.3


@dataclass(frozen=True)
class SourceHistory:
    """What storage knows about the batch's sources: pages per source, pages per (source, line key)."""

    pages: dict[str, int] = field(default_factory=dict)
    line_pages: dict[tuple[str, str], int] = field(default_factory=dict)


def line_key(normalised_line: str) -> str:
    """Return the compact key of a normalised line (16 hex digits of its SHA-1)."""
    return hashlib.sha1(normalised_line.encode("utf-8")).hexdigest()[:16]


def page_line_keys(article: Article) -> frozenset[str]:
    """Return the keys of the short lines of a page (the flattened page for HTML input)."""
    lines = html_to_lines(article.raw_text) if article.input_format == "html" else article.raw_text.splitlines()
    keys = set()
    for line in lines:
        key = normalise_line(line)
        if key and len(words(line)) <= SOURCE_LINE_MAX_WORDS:
            keys.add(line_key(key))
    return frozenset(keys)


def learned_chrome(
    articles: list[Article], history: SourceHistory, page_keys: dict[str, frozenset[str]] | None = None
) -> dict[str, frozenset[str]]:
    """Return {doc_id: keys of its lines that are chrome of its source}.

    Stored pages of the same source (`history`, which must not count these articles)
    and the other pages of the batch are the evidence; a page never counts for itself.
    `page_keys` are the articles' `page_line_keys`, when the caller has them already.
    """
    page_keys = page_keys if page_keys is not None else {a.doc_id: page_line_keys(a) for a in articles}
    batch_pages = Counter(a.source for a in articles)
    batch_lines: Counter = Counter()
    for a in articles:
        batch_lines.update((a.source, key) for key in page_keys[a.doc_id])
    chrome: dict[str, frozenset[str]] = {}
    for a in articles:
        others = history.pages.get(a.source, 0) + batch_pages[a.source] - 1
        if others < SOURCE_MIN_PAGES:
            chrome[a.doc_id] = frozenset()
            continue
        found = set()
        for key in page_keys[a.doc_id]:
            seen = history.line_pages.get((a.source, key), 0) + batch_lines[(a.source, key)] - 1
            if seen >= SOURCE_MIN_PAGES and seen >= SOURCE_MIN_SHARE * others:
                found.add(key)
        chrome[a.doc_id] = frozenset(found)
    return chrome
